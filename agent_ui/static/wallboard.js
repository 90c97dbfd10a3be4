// The wallboard: the board's tiles, large, no controls. Reads with the read-only token in the URL's
// fragment (/wallboard#token=...), else the viewer's own session; refreshed every few seconds.
"use strict";
const token = new URLSearchParams(location.hash.slice(1)).get("token");
async function read(path) {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: "same-origin" });
  if (res.status === 401 || res.status === 403) throw new Error(token ? "the token is not valid (or not a supervisor's)" : "sign in as a supervisor, or open /wallboard#token=…");
  if (!res.ok) throw new Error(`the server answered ${res.status}`);
  return res.json();
}
let figures = { today: null, recent: null }, figuresAt = 0;
async function refresh() {
  const state = document.getElementById("wall-state");
  try {
    const board = await read("/api/v1/board");
    if (Date.now() - figuresAt > 15000) { figures = await loadFigures(read); figuresAt = Date.now(); }
    renderTiles(document.getElementById("tiles"), board, figures, Date.now());
    state.textContent = "";
  } catch (e) { state.textContent = `· ${e.message}`; }
  document.getElementById("wall-clock").textContent = new Date().toLocaleTimeString();
}
refresh();
setInterval(refresh, 3000);
