// The wallboard: the board's tiles, large, no controls. Live on the supervisors' socket (every
// `board.updated`, newer seq wins), signed in with the read-only token in the URL's fragment
// (/wallboard#token=..., sent in the socket's auth payload, never in a URL) or the viewer's own session.
// The day's and the last 30 minutes' figures come from REST every 15 s.
"use strict";
const token = new URLSearchParams(location.hash.slice(1)).get("token");
const wall = { seq: -1, board: { queues: [], agents: [], totals: {} }, figures: { today: null, recent: null }, offset: 0 };
const stateNode = document.getElementById("wall-state");
const refusal = () => token ? "the token is not valid (or not a supervisor's)" : "sign in as a supervisor, or open /wallboard#token=…";

async function read(path) {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: "same-origin" });
  if (res.status === 401 || res.status === 403) throw new Error(refusal());
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
  return res.json();
}
function draw() {
  renderTiles(document.getElementById("tiles"), wall.board, wall.figures, Date.now() + wall.offset);
  document.getElementById("wall-clock").textContent = new Date().toLocaleTimeString();
}
function take(seq, data) {
  if (seq <= wall.seq) return;
  wall.seq = seq; wall.board = data; draw();
}
async function refreshFigures() {
  try { wall.figures = await loadFigures(read); draw(); } catch (e) { /* the live tiles still work */ }
}

const socket = io("/supervisor", {
  transports: ["websocket"], reconnectionDelay: 300, reconnectionDelayMax: 3000, auth: token ? { token } : {},
});
socket.on("connect", async () => {
  try {
    const res = await socket.timeout(8000).emitWithAck("sync", {});
    if (res.server_time) wall.offset = Date.parse(res.server_time) - Date.now();
    wall.seq = -1; take(res.seq, res.board); stateNode.textContent = "";
    refreshFigures();
  } catch (e) { socket.disconnect(); socket.connect(); }
});
socket.on("board.updated", (data) => take(data.seq, data));
socket.on("disconnect", () => { stateNode.textContent = "· reconnecting…"; });
socket.on("session.ended", () => { stateNode.textContent = `· ${refusal()}`; });
socket.on("connect_error", (err) => {
  const refused = err && (err.message === "unauthorized" || err.message === "forbidden");
  stateNode.textContent = `· ${refused ? refusal() : "reconnecting…"}`;
  if (refused) socket.disconnect();  // a bad token stays bad: no retry loop against the server
});
setInterval(async () => {
  if (!socket.connected) return;
  try { await socket.timeout(7500).emitWithAck("heartbeat", {}); } catch (e) { socket.disconnect(); socket.connect(); }
}, 15000);
setInterval(draw, 1000);  // waits and the clock move on between updates
setInterval(refreshFigures, 15000);
