"use strict";
// Drives a simulated inbound call over the REST API and shows what the caller hears.
const statusLine = document.getElementById("status");
const heard = document.getElementById("heard");
const hangupButton = document.getElementById("hangup");
const keys = [...document.querySelectorAll("#keypad button")];
let callId = null, timer = null, shown = 0;

function setActive(active) {
  hangupButton.disabled = !active;
  keys.forEach(k => { k.disabled = !active; });
  document.getElementById("call").disabled = active;
}

async function poll() {
  if (!callId) return;
  try {
    const t = await api.get(`/api/v1/simulator/calls/${callId}`);
    for (const line of t.heard.slice(shown)) heard.append(el("li", {}, line.text));
    shown = t.heard.length;
    statusLine.textContent = t.ended ? "Call ended." : t.connected_to_agent ? "Talking to an agent." : "In the IVR or waiting in queue…";
    if (t.ended) { setActive(false); clearInterval(timer); callId = null; }
  } catch (e) { statusLine.textContent = e.message; }
}

document.getElementById("dial-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  heard.replaceChildren(); shown = 0;
  try {
    const call = await api.post("/api/v1/simulator/calls", { caller: document.getElementById("caller").value });
    callId = call.call_id;
    statusLine.textContent = `Calling as ${call.caller}…`;
    setActive(true);
    timer = setInterval(poll, 500);
  } catch (err) { statusLine.textContent = err.message; }
});
keys.forEach(k => k.addEventListener("click", () => {
  if (callId) api.post(`/api/v1/simulator/calls/${callId}/digits`, { digits: k.dataset.key });
}));
document.addEventListener("keydown", (e) => {
  if (callId && /^[0-9*#]$/.test(e.key) && document.activeElement.tagName !== "INPUT") {
    api.post(`/api/v1/simulator/calls/${callId}/digits`, { digits: e.key });
  }
});
hangupButton.addEventListener("click", async () => { if (callId) await api.call("DELETE", `/api/v1/simulator/calls/${callId}`); poll(); });
