// The browser phone: plays what the hotline says, sends keys, speech and texts to the simulator endpoints.
"use strict";
(function () {
  const main = document.getElementById("main");
  const base = main.dataset.base;                     // "/simulator/"
  const token = main.dataset.token;
  const T = JSON.parse(main.dataset.texts);
  const $ = (id) => document.getElementById(id);
  const status = $("call-status");
  const log = $("call-log");
  let call = null;          // {sid, wait}
  let audio = null;         // the <audio> element playing now
  let queue = [];           // prompts still to play
  let digits = "";
  let timer = null;
  let recording = null;
  let busy = false;
  let logCount = 0;       // server log lines already shown
  let line = null;        // the call's Media Stream while one is open (HearthlineStream)
  const speechShown = !$("speech-controls").hidden;   // a local stand-in can take recordings
  let captioned = false;  // the server gave the words of this answer's prompts

  function addLog(list, text, cls) {
    const item = document.createElement("li");
    item.textContent = text;
    if (cls) item.className = cls;
    list.appendChild(item);
    item.scrollIntoView({ block: "nearest" });
  }

  async function post(path, form) {
    const response = await fetch(base + path, {
      method: "POST", body: form, credentials: "same-origin", headers: { "X-Simulator-Token": token },
    });
    let answer = {};
    try { answer = await response.json(); } catch (err) { answer = { error: "HTTP " + response.status }; }
    if (!response.ok && !answer.error) answer.error = "HTTP " + response.status;
    return answer;
  }

  function form(fields) {
    const data = new FormData();
    Object.entries(fields).forEach(([k, v]) => data.append(k, v));
    return data;
  }

  function setControls() {
    const live = call && !call.ended;
    const wait = live ? call.wait : null;
    $("call").disabled = !!live;
    $("hangup").disabled = !live;
    $("mute").addEventListener("change", () => { if (line && line.mute) line.mute($("mute").checked); });
  document.querySelectorAll(".key").forEach((b) => { b.disabled = !wait || wait.kind === "dial"; });
    const speech = !!wait && (wait.kind === "record" || wait.speech) && !busy;
    ["talk", "say-text", "say-locale", "say", "say-file", "say-file-send"].forEach((id) => { $(id).disabled = !speech; });
    $("silence").disabled = !wait || busy || wait.kind === "dial" || wait.kind === "stream";
    $("dial-controls").hidden = !(wait && wait.kind === "dial");
    // On a stream the microphone is live: no recording, typing or time-out buttons, a mute switch instead.
    const streaming = !!line || (!!wait && wait.kind === "stream");
    $("stream-controls").hidden = !streaming;
    $("speech-controls").hidden = !speechShown || streaming;
    $("silence").hidden = streaming;
    main.dataset.stream = line ? "open" : "closed";
    main.dataset.state = busy ? "busy" : !call ? "idle" : call.ended ? "ended" : wait ? "waiting-" + wait.kind : "busy";
  }

  function stopAudio() {
    queue = [];
    if (audio) { audio.pause(); audio.src = ""; audio = null; }
  }

  function clearTimer() { if (timer) { clearTimeout(timer); timer = null; } }

  function startTimer() {
    clearTimer();
    if (!call || call.ended || !call.wait || $("patient").checked) return;
    const wait = call.wait;
    if (wait.kind === "dial" || wait.kind === "stream") return;  // on a stream the hotline times the silence
    // Twilio counts the timeout from the end of the prompts; a browser user gets a few seconds more to record.
    const seconds = wait.kind === "record" ? Math.max(wait.timeout, 8) : Math.max(wait.timeout, 1);
    timer = setTimeout(() => {
      if (digits) sendDigits(); else noInput();
    }, seconds * 1000);
  }

  function playNext() {
    if (!queue.length) { audio = null; waiting(); return; }
    const prompt = queue.shift();
    if (prompt.kind === "pause") { timer = setTimeout(playNext, prompt.seconds * 1000); return; }
    if (!captioned) addLog(log, prompt.kind === "say" ? T.hotline_says + " " + prompt.text : T.hotline_plays, "hotline");
    audio = new Audio(prompt.url);
    audio.playbackRate = Number($("speed").value) || 1;  // faster prompts when trying a flow again and again
    audio.onended = playNext;
    audio.onerror = playNext;
    audio.play().catch(() => { if (audio) { audio.onended = null; audio.onerror = null; } playNext(); });
  }

  function waiting() {
    if (!call) return;
    if (call.ended) { status.textContent = T.ended; setControls(); return; }
    const wait = call.wait;
    status.textContent = !wait ? "" : wait.kind === "dial" ? T.dial : wait.kind === "stream" ? T.stream
      : wait.speech ? T.record : T.keys;
    setControls();
    startTimer();
    if (wait && wait.kind === "stream" && !line) openLine();
  }

  // --- a call on a Media Stream: the microphone is live, the hotline's audio plays as it arrives ---------------
  async function openLine() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const url = scheme + location.host + base + "call/" + call.sid + "/stream?token=" + encodeURIComponent(token);
    const sid = call.sid;
    line = {};   // opening: nothing else may open one meanwhile
    try {
      line = await window.HearthlineStream.open(url, main.dataset.micWorklet, {
        onTurn: (news) => {
          (news.log || []).forEach((text) => addLog(log, text, "caller"));
          (news.captions || []).forEach((text) => addLog(log, T.hotline_says + " " + text, "hotline"));
          main.dataset.turns = String(news.turn);
        },
        onError: () => addLog(log, T.stream_no_mic, "error"),
        onEnd: async () => {
          line = null;
          if (!call || call.sid !== sid || call.ended) { setControls(); return; }
          busy = true; setControls(); status.textContent = T.sending;
          handle(await post("call/" + sid + "/stream/ended", form({})));
        },
      });
      if ($("mute").checked) line.mute(true);
    } catch (err) {
      line = null;
      addLog(log, String(err), "error");
    }
    setControls();
  }

  function handle(answer) {
    busy = false;
    if (answer.error && !answer.call_sid) { status.textContent = answer.error; setControls(); startTimer(); return; }
    call = { sid: answer.call_sid, wait: answer.wait, ended: answer.ended };
    const lines = answer.log || [];
    const mine = new Set(answer.caller_lines || []);
    lines.forEach((line, i) => { if (i >= logCount) addLog(log, line, mine.has(i) ? "caller" : "event"); });
    logCount = lines.length;
    if (answer.error) addLog(log, answer.error, "error");
    digits = "";
    // Captions: every sentence of this answer at once, so the words can be read while the audio plays.
    captioned = (answer.captions || []).length > 0;
    (answer.captions || []).forEach((line) => addLog(log, T.hotline_says + " " + line, "hotline"));
    queue = (answer.prompts || []).slice();
    status.textContent = T.speaking;
    setControls();
    playNext();
  }

  async function act(path, fields) {
    clearTimer();
    busy = true;
    setControls();
    status.textContent = T.sending;
    handle(await post(path, form(fields)));
  }

  function sendDigits() {
    const pressed = digits;
    digits = "";
    act("call/" + call.sid + "/keys", { digits: pressed });
  }

  function noInput() {
    act("call/" + call.sid + "/silence", {});
  }

  function press(key) {
    if (line) { if (line.press) line.press(key); return; }   // a key on the stream: the hotline stops its prompt
    if (!call || call.ended || !call.wait || busy || call.wait.kind === "stream") return;
    const wait = call.wait;
    stopAudio();          // a key interrupts the prompt (barge-in), as on <Gather>
    clearTimer();
    digits += key;
    const enough = wait.kind === "record" || (wait.num_digits && digits.length >= wait.num_digits) ||
      (wait.finish_on_key && wait.finish_on_key.includes(key));
    if (enough) sendDigits(); else startTimer();
  }

  $("call").addEventListener("click", async () => {
    log.innerHTML = "";
    logCount = 0;
    status.textContent = T.ringing;
    call = null;
    busy = true;
    setControls();
    handle(await post("call", form({ from: $("caller-number").value })));
  });
  $("hangup").addEventListener("click", async () => {
    stopAudio(); clearTimer();
    if (line && line.hangUp) { const open = line; line = null; open.hangUp(); }
    if (call) handle(await post("call/" + call.sid + "/hangup", form({})));
  });
  document.querySelectorAll(".key").forEach((b) => b.addEventListener("click", () => press(b.dataset.key)));
  $("silence").addEventListener("click", () => { stopAudio(); noInput(); });
  $("say").addEventListener("click", () => {
    const text = $("say-text").value.trim();
    if (!text || !call) return;
    stopAudio();
    $("say-text").value = "";
    act("call/" + call.sid + "/speech", { text: text, locale: $("say-locale").value });
  });
  $("say-file-send").addEventListener("click", () => {
    const file = $("say-file").files[0];
    if (!file || !call) return;
    stopAudio();
    const data = form({});
    data.append("audio", file, file.name);
    clearTimer(); busy = true; setControls(); status.textContent = T.sending;
    post("call/" + call.sid + "/speech", data).then(handle);
  });
  $("dial-answer").addEventListener("click", () => act("call/" + call.sid + "/dial", { result: "completed" }));
  $("dial-no-answer").addEventListener("click", () => act("call/" + call.sid + "/dial", { result: "no-answer" }));

  // Hold to talk: press and hold (mouse, touch, or Space/Enter held down), release to send.
  const talk = $("talk");
  async function talkStart() {
    if (talk.disabled || recording) return;
    stopAudio(); clearTimer();
    try {
      recording = await window.HearthlineWav.start();
      status.textContent = T.recording;
      talk.setAttribute("aria-pressed", "true");
    } catch (err) { status.textContent = T.no_mic; recording = null; startTimer(); }
  }
  async function talkStop() {
    if (!recording) return;
    const session = recording;
    recording = null;
    talk.setAttribute("aria-pressed", "false");
    const wav = await session.stop();
    const data = form({});
    data.append("audio", wav, "speech.wav");
    busy = true; setControls(); status.textContent = T.sending;
    handle(await post("call/" + call.sid + "/speech", data));
  }
  talk.addEventListener("pointerdown", talkStart);
  talk.addEventListener("pointerup", talkStop);
  talk.addEventListener("pointerleave", talkStop);
  talk.addEventListener("keydown", (e) => { if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); talkStart(); } });
  talk.addEventListener("keyup", (e) => { if (e.key === " " || e.key === "Enter") { e.preventDefault(); talkStop(); } });

  // --- texting -------------------------------------------------------------------------------------------
  const thread = $("sms-thread");
  const seen = new Set();
  async function pollInbox() {
    const phone = $("sms-from").value.trim();
    if (!phone) return;
    try {
      const response = await fetch(base + "sms/inbox?phone=" + encodeURIComponent(phone), { credentials: "same-origin" });
      const answer = await response.json();
      (answer.messages || []).slice().reverse().forEach((m) => {
        if (seen.has(m.sid)) return;
        seen.add(m.sid);
        addLog(thread, T.hotline + ": " + m.body, "hotline notification");
      });
    } catch (err) { /* the next poll tries again */ }
  }
  $("sms-send").addEventListener("click", async () => {
    const body = $("sms-body").value;
    if (!body.trim()) return;
    $("sms-status").textContent = T.sending;
    addLog(thread, T.you + ": " + body, "caller");
    const answer = await post("sms", form({ from: $("sms-from").value, body: body }));
    $("sms-status").textContent = answer.error || "";
    if (!answer.error) $("sms-body").value = "";
    (answer.replies || []).forEach((reply) => addLog(thread, T.hotline + ": " + reply, "hotline reply"));
    if (main.dataset.speech === "yes") pollInbox();
  });
  $("sms-from").addEventListener("change", () => {
    seen.clear(); thread.innerHTML = "";
    if (main.dataset.speech === "yes") pollInbox();
  });
  if (main.dataset.speech === "yes") {   // a local Twilio stand-in keeps the texts the hotline sent
    setInterval(pollInbox, 3000);
    pollInbox();
  }

  // --- the hotline calls this number ------------------------------------------------------------------------
  // While the page asks, the local stand-in rings it with the dialer's calls to "my number" (instead of
  // playing the callee itself); it ends the ringing on its own after the call's ring timeout (no-answer).
  const incoming = $("incoming");
  let ringingSid = null;
  // The call last answered or declined here: a poll sent before the stand-in heard of it may still list it as
  // ringing, and the page would ring again for a call already declined.
  let handledSid = null;
  function showRinging(found) {
    if (found && (found.sid === ringingSid || found.sid === handledSid)) return;
    if (!found) {
      if (ringingSid) { incoming.hidden = true; status.textContent = T.missed; ringingSid = null; setControls(); }
      return;
    }
    ringingSid = found.sid;
    $("incoming-text").textContent = found.announce;   // role="alert": announced by screen readers
    incoming.hidden = false;
    status.textContent = T.ringing;   // the alert announces why; the status line does not repeat it
    main.dataset.state = "ringing-in";
    $("incoming-answer").focus();
  }
  async function pollRinging() {
    const phone = $("caller-number").value.trim();
    if (!phone || (call && !call.ended) || busy) return;
    try {
      const response = await fetch(base + "ringing?phone=" + encodeURIComponent(phone), { credentials: "same-origin" });
      const answer = await response.json();
      if (!(call && !call.ended) && !busy) showRinging((answer.calls || [])[0] || null);
    } catch (err) { /* the next poll tries again */ }
  }
  $("incoming-answer").addEventListener("click", async () => {
    if (!ringingSid) return;
    const sid = ringingSid;
    ringingSid = null;
    handledSid = sid;
    incoming.hidden = true;
    log.innerHTML = "";
    logCount = 0;
    call = null;
    busy = true;
    setControls();
    status.textContent = T.sending;
    handle(await post("ringing/" + sid + "/answer", form({})));
  });
  $("incoming-decline").addEventListener("click", async () => {
    if (!ringingSid) return;
    const sid = ringingSid;
    ringingSid = null;
    handledSid = sid;
    incoming.hidden = true;
    const answer = await post("ringing/" + sid + "/decline", form({}));
    status.textContent = answer.error || T.declined;
    setControls();
  });
  if (main.dataset.speech === "yes") {   // only a local stand-in can ring the page
    setInterval(pollRinging, 1000);
    pollRinging();
  }
  setControls();
})();
