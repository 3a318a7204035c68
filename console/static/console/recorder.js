// "Record here": record from the microphone, then upload the WAV like the file form does (the prompt page), or,
// with data-into, put it into that form's file field to go with the form (the crisis page's recorded message).
"use strict";
(function () {
  const box = document.getElementById("recorder");
  if (!box) return;
  const startButton = document.getElementById("record-start");
  const stopButton = document.getElementById("record-stop");
  const status = document.getElementById("recorder-status");
  let session = null;
  if (!navigator.mediaDevices || !window.MediaRecorder) {
    startButton.disabled = true;
    status.textContent = box.dataset.nomic;
    return;
  }
  startButton.addEventListener("click", async () => {
    try {
      session = await window.HearthlineWav.start();
    } catch (err) {
      status.textContent = box.dataset.nomic;
      return;
    }
    startButton.disabled = true;
    stopButton.disabled = false;
    stopButton.focus();
    status.textContent = box.dataset.recording;
  });
  stopButton.addEventListener("click", async () => {
    if (!session) return;
    stopButton.disabled = true;
    status.textContent = box.dataset.saving;
    try {
      const wav = await session.stop();
      if (box.dataset.into) {
        const field = document.getElementById(box.dataset.into);
        const files = new DataTransfer();
        files.items.add(new File([wav], "recording.wav", { type: "audio/wav" }));
        field.files = files.files;
        status.textContent = box.dataset.ready;
        session = null;
        startButton.disabled = false;
        return;
      }
      const form = new FormData();
      form.append("audio", wav, "recording.wav");
      const approve = document.getElementById("approve-upload");
      if (approve && approve.checked) form.append("approve", "1");
      const response = await fetch(box.dataset.upload, {
        method: "POST", body: form, credentials: "same-origin",
        headers: { "X-CSRF-Token": box.dataset.csrf, "Accept": "application/json" },
      });
      const answer = await response.json();
      if (answer.ok) { window.location.reload(); return; }
      status.textContent = answer.error;
    } catch (err) {
      status.textContent = String(err);
    }
    session = null;
    startButton.disabled = false;
  });
})();
