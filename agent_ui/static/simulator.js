"use strict";
// Drives a simulated inbound call over the REST API and shows (and, if asked, plays) what the caller hears.
const statusLine = document.getElementById("status");
const heard = document.getElementById("heard");
const hangupButton = document.getElementById("hangup");
const keys = [...document.querySelectorAll("#keypad button")];
const speak = document.getElementById("speak");
let callId = null, timer = null, shown = 0, pressedShown = 0;
const playlist = [];
let playing = null;

function setActive(active) {
  hangupButton.disabled = !active;
  keys.forEach(k => { k.disabled = !active; });
  document.getElementById("call").disabled = active;
}

// Prompts play one after another, as on a phone; a key press cuts the one playing (barge-in).
function playNext() {
  if (playing || !playlist.length || !speak.checked) return;
  playing = new Audio(playlist.shift());
  playing.onended = playing.onerror = () => { playing = null; playNext(); };
  playing.play().catch(() => { playing = null; });
}
function stopAudio() { if (playing) { playing.pause(); playing = null; } playlist.length = 0; }

const WHERE = {
  ivr: "In the IVR: listen and press keys.",
  queued: "Waiting in the queue (hold music).",
  on_hold: "The agent put you on hold.",
  with_agent: "Talking to an agent.",
  ended: "Call ended.",
};

async function poll() {
  if (!callId) return;
  try {
    const t = await api.get(`/api/v1/simulator/calls/${callId}`);
    for (const line of t.heard.slice(shown)) {
      heard.append(el("li", { class: line.on_hold ? "said hold" : "said" }, line.text));
      if (line.audio) playlist.push(line.audio);
    }
    shown = t.heard.length;
    // Keys pressed here are shown as they are pressed (before the IVR's answer to them); only others are added.
    for (const key of t.pressed.slice(pressedShown)) heard.append(el("li", { class: "pressed" }, `You pressed ${key}`));
    pressedShown = Math.max(pressedShown, t.pressed.length);
    playNext();
    statusLine.dataset.where = t.where;
    statusLine.textContent = t.where === "with_agent" && t.agent ? `Talking to ${t.agent}.` :
      t.where === "ended" && t.hung_up_by === "local" ? "The contact center ended the call." : WHERE[t.where] || t.where;
    if (t.ended) { setActive(false); clearInterval(timer); callId = null; }
  } catch (e) { statusLine.textContent = e.message; }
}

document.getElementById("dial-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  heard.replaceChildren(); shown = 0; pressedShown = 0; stopAudio();
  try {
    const call = await api.post("/api/v1/simulator/calls", { caller: document.getElementById("caller").value,
      dialled: document.getElementById("dialled").value || "5000" });
    callId = call.call_id;
    statusLine.textContent = `Calling as ${call.caller}…`;
    setActive(true);
    timer = setInterval(poll, 400);
  } catch (err) { statusLine.textContent = err.message; }
});
async function press(key) {
  if (!callId) return;
  stopAudio();
  heard.append(el("li", { class: "pressed" }, `You pressed ${key}`));
  pressedShown += 1;
  try { await api.post(`/api/v1/simulator/calls/${callId}/digits`, { digits: key }); poll(); } catch (e) { statusLine.textContent = e.message; }
}
keys.forEach(k => k.addEventListener("click", () => press(k.dataset.key)));
document.addEventListener("keydown", (e) => {
  if (callId && /^[0-9*#]$/.test(e.key) && document.activeElement.tagName !== "INPUT") press(e.key);
});
hangupButton.addEventListener("click", async () => {
  if (!callId) return;
  stopAudio();
  await api.call("DELETE", `/api/v1/simulator/calls/${callId}`);
  poll();
});
speak.addEventListener("change", () => { if (speak.checked) playNext(); else stopAudio(); });
