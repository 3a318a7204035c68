// Record from the microphone and hand back a WAV file (16-bit mono PCM), which the server can read as is.
// MediaRecorder gives WebM/Opus in Chromium; the browser decodes it to samples and we write the WAV here.
"use strict";
window.HearthlineWav = (function () {
  function encode(samples, rate) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
    text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
    view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true);
    view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i++) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], { type: "audio/wav" });
  }

  function mono(audioBuffer) {
    const out = new Float32Array(audioBuffer.length);
    for (let c = 0; c < audioBuffer.numberOfChannels; c++) {
      const data = audioBuffer.getChannelData(c);
      for (let i = 0; i < data.length; i++) out[i] += data[i] / audioBuffer.numberOfChannels;
    }
    return out;
  }

  async function start() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.start();
    return {
      stop: () => new Promise((resolve, reject) => {
        recorder.onstop = async () => {
          stream.getTracks().forEach((track) => track.stop());
          try {
            const bytes = await new Blob(chunks).arrayBuffer();
            const context = new AudioContext();
            const decoded = await context.decodeAudioData(bytes);
            context.close();
            resolve(encode(mono(decoded), decoded.sampleRate));
          } catch (err) { reject(err); }
        };
        recorder.stop();
      }),
    };
  }

  return { start: start, encode: encode };
})();
