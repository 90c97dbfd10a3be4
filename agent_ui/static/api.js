// Small fetch wrapper: JSON in and out, the CSRF header on writes, and a way back to login on 401.
"use strict";
const api = {
  csrf() {
    const m = document.cookie.match(/(?:^|; )cc_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  },
  async call(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = api.csrf();
    const res = await fetch(path, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && !path.endsWith("/auth/login")) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      throw new Error("not logged in");
    }
    const data = res.status === 204 ? null : await res.json();
    if (!res.ok) {
      const detail = (data && data.errors || []).map(e => `${e.field}: ${e.reason}`).join("; ");
      throw new Error((data && data.message || res.statusText) + (detail ? ` (${detail})` : ""));
    }
    return data;
  },
  get(path) { return api.call("GET", path); },
  post(path, body) { return api.call("POST", path, body || {}); },
  patch(path, body) { return api.call("PATCH", path, body); },
  del(path) { return api.call("DELETE", path); },
};
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
