// Hands the microphone's samples to the page as they arrive (128 a block), for the Media Stream's 20 ms frames.
"use strict";
class HearthlineMic extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor("hearthline-mic", HearthlineMic);
