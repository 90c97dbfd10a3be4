"use strict";
document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const out = document.getElementById("login-error");
  out.textContent = "";
  const res = await fetch("/api/v1/auth/login", {
    method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
    body: JSON.stringify({ username: form.username.value, password: form.password.value }),
  });
  const next = form.dataset.next || "/";
  if (res.ok) { location.href = /^\/(?![\/\\])/.test(next) ? next : "/"; return; }
  const data = await res.json().catch(() => ({}));
  out.textContent = data.message || "Login failed";
});
