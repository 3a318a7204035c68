// The browser phone on a Media Stream: Twilio's side of the call's stream, with this computer's microphone and
// speaker. The microphone is filtered and taken down to 8 kHz, encoded as G.711 μ-law and sent in 20 ms `media`
// messages (with `start`, `dtmf` and `stop`) as Twilio sends them; the simulator relays them, signed, to the
// app's /voice/stream. The app's `media` (μ-law 8 kHz) is played through Web Audio in order, `clear` stops it at
// once, and each `mark` is sent back when the audio before it has played, or at once when a clear dropped it.
"use strict";
window.HearthlineStream = (function () {
  const RATE = 8000;          // Twilio's audio/x-mulaw rate
  const FRAME = 160;          // 20 ms at 8 kHz: one media message
  const CUTOFF_HZ = 3400;     // the top of the telephone band (ITU-T G.712)

  // G.711 μ-law, bit-exact with voice/mulaw.py (Sun's g711.c): 14 bits, bias 0x21, clip at 8159.
  function encodeSample(sample) {
    let x = sample >> 2;
    const mask = x < 0 ? 0x7f : 0xff;
    x = Math.min(Math.abs(x), 8159) + 0x21;
    const segment = Math.max(Math.floor(Math.log2(x)) - 5, 0);
    const value = segment > 7 ? 0x7f : (segment << 4) | ((x >> (segment + 1)) & 0x0f);
    return (value ^ mask) & 0xff;
  }
  const DECODE = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const code = ~i & 0xff;
    const magnitude = ((((code & 0x0f) << 3) + 0x84) << ((code >> 4) & 0x07)) - 0x84;
    DECODE[i] = ((code & 0x80) ? -magnitude : magnitude) / 32768;
  }

  // From the microphone's rate to 8 kHz: a windowed-sinc low-pass (so nothing above the phone band folds
  // back into it), then a sample every rate/8000 input samples, interpolated between neighbours.
  function downsampler(inRate) {
    const step = inRate / RATE;
    const taps = 63;
    const half = (taps - 1) / 2;
    const fc = CUTOFF_HZ / inRate;
    const h = new Float32Array(taps);
    let total = 0;
    for (let i = 0; i < taps; i++) {
      const n = i - half;
      const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
      h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1)));  // Hamming window
      total += h[i];
    }
    for (let i = 0; i < taps; i++) h[i] /= total;
    const history = new Float32Array(taps);
    let at = 0, count = 0, next = 0, previous = 0;
    return function (input) {
      const out = [];
      for (let s = 0; s < input.length; s++) {
        history[at] = input[s];
        at = (at + 1) % taps;
        let y = 0;
        for (let j = 0; j < taps; j++) y += h[j] * history[(at + j) % taps];
        while (next <= count) {            // outputs that fall between the previous input and this one
          const frac = count - next;
          out.push(y * (1 - frac) + previous * frac);
          next += step;
        }
        previous = y;
        count += 1;
      }
      return out;
    };
  }

  function base64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }

  // Open the call's stream. `events`: onTurn(news), onEnd(), onError(text). Returns {press, mute, hangUp, stats}.
  async function open(url, workletUrl, events) {
    const context = new AudioContext();
    await context.resume();
    const stats = { sent: 0, received: 0, clears: 0, marks: 0, mic: false };
    const socket = new WebSocket(url);
    let sequence = 0, chunk = 0, muted = false, closed = false;
    let playhead = 0;                       // when the audio queued so far ends (context time)
    const sources = new Set();              // what is queued or playing
    const pending = [];                     // marks whose audio has not played yet: {name, timer}
    let mic = null, node = null, input = null;

    function send(message) {
      if (socket.readyState !== WebSocket.OPEN) return;
      sequence += 1;
      socket.send(JSON.stringify(Object.assign({ sequenceNumber: String(sequence) }, message)));
    }
    function answerMark(name) {
      stats.marks += 1;
      send({ event: "mark", mark: { name: name } });
    }

    function play(payload) {
      const text = atob(payload);
      if (!text.length) return;
      const buffer = context.createBuffer(1, text.length, RATE);
      const samples = buffer.getChannelData(0);
      for (let i = 0; i < text.length; i++) samples[i] = DECODE[text.charCodeAt(i)];
      const source = context.createBufferSource();
      source.buffer = buffer;
      source.connect(context.destination);
      const start = Math.max(context.currentTime + 0.02, playhead);
      source.start(start);
      playhead = start + buffer.duration;
      sources.add(source);
      source.onended = () => sources.delete(source);
    }
    function mark(name) {
      const item = { name: name, timer: null };
      item.timer = setTimeout(() => {
        const i = pending.indexOf(item);
        if (i >= 0) pending.splice(i, 1);
        answerMark(name);
      }, Math.max(0, playhead - context.currentTime) * 1000);
      pending.push(item);
    }
    function clear() {
      stats.clears += 1;
      sources.forEach((source) => { try { source.stop(); } catch (err) { /* not started yet */ } });
      sources.clear();
      playhead = context.currentTime;
      pending.splice(0).forEach((item) => { clearTimeout(item.timer); answerMark(item.name); });  // as Twilio does
    }

    const down = downsampler(context.sampleRate);
    let frame = [];
    function capture(block) {
      const samples = down(block);
      for (let i = 0; i < samples.length; i++) {
        frame.push(samples[i]);
        if (frame.length === FRAME) {
          const bytes = new Uint8Array(FRAME);
          for (let j = 0; j < FRAME; j++) {
            bytes[j] = muted ? 0xff : encodeSample(Math.max(-32768, Math.min(32767, Math.round(frame[j] * 32768))));
          }
          frame = [];
          chunk += 1;
          stats.sent += 1;
          send({
            event: "media",
            media: { track: "inbound", chunk: String(chunk), timestamp: String(chunk * 20), payload: base64(bytes) },
          });
        }
      }
    }

    async function startMicrophone() {
      try {
        mic = await navigator.mediaDevices.getUserMedia({
          audio: { channelCount: 1, echoCancellation: true, noiseSuppression: false, autoGainControl: false },
        });
        stats.mic = true;
      } catch (err) {
        events.onError && events.onError("no-mic");
      }
      await context.audioWorklet.addModule(workletUrl);
      node = new AudioWorkletNode(context, "hearthline-mic", { numberOfOutputs: 1 });
      node.port.onmessage = (e) => capture(e.data);
      if (mic) {
        input = context.createMediaStreamSource(mic);
        input.connect(node);
      } else {
        // No microphone: the line still carries 20 ms of silence at a time, as a phone's does (keys work).
        const quiet = context.createConstantSource();
        quiet.offset.value = 0;
        quiet.connect(node);
        quiet.start();
      }
      node.connect(context.destination);   // pulled by the graph; it writes nothing, so nothing is heard
    }

    function shutDown() {
      if (closed) return;
      closed = true;
      clear();
      if (mic) mic.getTracks().forEach((track) => track.stop());
      if (node) node.disconnect();
      context.close();
    }

    socket.onopen = async () => {
      send({ event: "connected", protocol: "Call", version: "1.0.0" });
      send({
        event: "start",
        start: { tracks: ["inbound"], mediaFormat: { encoding: "audio/x-mulaw", sampleRate: RATE, channels: 1 } },
      });
      await startMicrophone();
    };
    socket.onmessage = (e) => {
      const message = JSON.parse(e.data);
      if (message.event === "media") { stats.received += 1; play(message.media.payload); }
      else if (message.event === "mark") mark(message.mark.name);
      else if (message.event === "clear") clear();
      else if (message.event === "hearthline.turn" && events.onTurn) events.onTurn(message);
    };
    socket.onclose = () => {
      const byUs = closed;
      shutDown();
      if (!byUs && events.onEnd) events.onEnd();
    };

    const session = {
      stats: stats,
      press: (digit) => send({ event: "dtmf", dtmf: { track: "inbound_track", digit: digit } }),
      mute: (on) => { muted = !!on; },
      hangUp: () => {
        send({ event: "stop", stop: {} });
        shutDown();
        socket.close();
      },
    };
    api.current = session;   // the open line, for a developer's console (and the browser tests)
    return session;
  }

  const api = { open: open, encodeSample: encodeSample, current: null };
  return api;
})();
