// gws-sim customer console: plays customers through the control API (/sim/...) and shows
// what the simulator holds, read from GET /sim/ui/state twice a second. No framework, no
// build step, nothing fetched from elsewhere. Every server string goes through textContent.
"use strict";
(function () {
  const POLL_MS = 500;
  const TYPING_IDLE_MS = 2000;
  const $ = (id) => document.getElementById(id);

  let selected = null;   // id of the session the conversation pane shows
  let lastText = "";     // the last state answer, to skip identical renders
  let lastState = null;
  let typingSent = false;
  let typingTimer = null;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setStatus(message, isError) {
    const s = $("status");
    s.textContent = message;
    s.classList.toggle("error", !!isError);
  }

  async function call(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    const text = await res.text();
    let data = text;
    try { data = JSON.parse(text); } catch (e) { /* not JSON: keep the text */ }
    if (!res.ok) {
      throw new Error(`${method} ${path}: ${res.status} ${(data && data.error) || text}`);
    }
    return data;
  }

  // Actions report failures in the status line rather than failing silently.
  function action(fn) {
    return async (ev) => {
      if (ev) ev.preventDefault();
      try {
        await fn(ev);
        await refresh();
      } catch (e) {
        setStatus(e.message, true);
      }
    };
  }

  // ------------------------------------------------------------------ rendering

  function renderAgents(agents) {
    const list = $("agents");
    list.replaceChildren();
    for (const a of agents) {
      const li = el("li");
      li.append(el("span", "name", a.name), el("span", "state " + a.state, a.state));
      list.append(li);
    }
    const select = $("agent-select");
    const keep = select.value;
    select.replaceChildren(el("option", "", "any Ready agent"));
    select.firstChild.value = "";
    for (const a of agents) {
      const o = el("option", "", `${a.name} (${a.state})`);
      o.value = a.name;
      select.append(o);
    }
    select.value = keep;
  }

  function participantsText(s) {
    return (s.participants || []).map((p) => `${p.type} ${p.nickname}`).join(", ") || "nobody";
  }

  function renderSessions(sessions) {
    const rows = $("session-rows");
    rows.replaceChildren();
    for (const s of sessions) {
      const tr = el("tr");
      tr.dataset.id = s.id;
      if (s.id === selected) tr.classList.add("selected");
      const idCell = el("td");
      idCell.append(el("code", "", s.id));
      const stateCell = el("td");
      stateCell.append(el("span", "state " + s.state, s.state));
      tr.append(idCell, stateCell, el("td", "", participantsText(s)), el("td", "", String(s.messages)));
      tr.addEventListener("click", () => { selected = s.id; render(lastState); });
      rows.append(tr);
    }
  }

  // One transcript entry as the customer's screen would show it; null for typing notices
  // (they drive the indicator below the transcript instead).
  function messageItem(m) {
    const nick = (m.from && m.from.nickname) || "?";
    const side = m.from && m.from.type === "Customer" ? "customer" : "agent";
    const li = el("li");
    li.dataset.index = m.index;
    li.dataset.type = m.type;
    if (m.type === "Text" || m.type === "PushUrl") {
      li.className = side;
      const text = m.type === "PushUrl" ? `🔗 ${m.url}` : m.text;
      const who = m.visibility === "Agents" ? `${nick} (to agents only)` : nick;
      li.append(el("span", "who", who), el("span", "bubble", text));
    } else if (m.type === "ParticipantJoined" || m.type === "ParticipantLeft") {
      li.className = "notice";
      li.textContent = `${nick} ${m.type === "ParticipantJoined" ? "joined" : "left"}`;
    } else if (m.type === "TypingStarted" || m.type === "TypingStopped") {
      return null;
    } else {
      li.className = "notice";
      li.textContent = `${nick}: ${m.noticeText || m.text || m.type}`;
    }
    return li;
  }

  // Agents whose latest typing notice is "started" and who have not written since.
  function typingAgents(transcript) {
    const typing = new Map();
    for (const m of transcript) {
      if (!m.from || m.from.type !== "Agent") continue;
      if (m.type === "TypingStarted") typing.set(m.from.nickname, true);
      else if (m.type === "TypingStopped" || m.type === "Text") typing.set(m.from.nickname, false);
    }
    return [...typing].filter(([, on]) => on).map(([name]) => name);
  }

  function renderChat(sessions) {
    const s = sessions.find((x) => x.id === selected);
    const open = !!s && s.state !== "Completed" && !s.customer.left;
    $("say-text").disabled = !open;
    $("say-button").disabled = !open;
    $("leave-button").disabled = !open;
    $("chat-id").textContent = s ? s.id : "";
    const list = $("transcript");
    if (!s) {
      list.replaceChildren();
      $("typing").textContent = "";
      return;
    }
    const cut = s.messages > s.transcript.length ? ` (last ${s.transcript.length} of ${s.messages})` : "";
    $("chat-state").textContent =
      `${s.customer.nickname}${s.customer.phone ? " " + s.customer.phone : ""} · ${s.state}` +
      `${s.customer.left ? " · customer left" : ""}${cut}`;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.replaceChildren(...s.transcript.map(messageItem).filter(Boolean));
    if (atBottom) list.scrollTop = list.scrollHeight;
    const typing = typingAgents(s.transcript);
    $("typing").textContent = typing.length ? `${typing.join(", ")} ${typing.length > 1 ? "are" : "is"} typing…` : "";
  }

  function render(state) {
    if (!state) return;
    renderAgents(state.agents);
    renderSessions(state.sessions);
    renderChat(state.sessions);
    $("fault-state").textContent = JSON.stringify(state.faults, null, 1);
  }

  // ------------------------------------------------------------------ polling

  async function refresh() {
    const res = await fetch("state", { cache: "no-store" });
    if (!res.ok) throw new Error(`GET /sim/ui/state: ${res.status}`);
    const text = await res.text();
    if (text !== lastText) {
      lastText = text;
      lastState = JSON.parse(text);
      render(lastState);
    }
    const n = lastState.total;
    setStatus(`live · ${n} session${n === 1 ? "" : "s"} · ${new Date().toLocaleTimeString()}`);
  }

  async function poll() {
    try {
      await refresh();
    } catch (e) {
      setStatus(`simulator unreachable (${e.message}); retrying`, true);
    }
    setTimeout(poll, POLL_MS);
  }

  // ------------------------------------------------------------------ actions

  const sessionPath = (tail) => `/sim/sessions/${encodeURIComponent(selected)}${tail}`;

  async function setTyping(on) {
    if (typingSent === on || !selected) return;
    typingSent = on;
    await call("POST", sessionPath("/typing"), { typing: on });
  }

  $("start-form").addEventListener("submit", action(async () => {
    const f = $("start-form").elements;
    const body = { customer: { nickname: f.nickname.value, phone: f.phone.value || undefined } };
    if (f.text.value) body.text = f.text.value;
    if (f.agent.value) body.agent = f.agent.value;
    const res = await call("POST", "/sim/sessions", body);
    selected = res.id;
    typingSent = false;
    lastText = "";
    $("say-text").focus();
  }));

  $("say-form").addEventListener("submit", action(async () => {
    const input = $("say-text");
    const text = input.value;
    if (!text || !selected) return;
    clearTimeout(typingTimer);
    await setTyping(false);
    await call("POST", sessionPath("/messages"), { text });
    input.value = "";
  }));

  $("say-text").addEventListener("input", () => {
    clearTimeout(typingTimer);
    const on = $("say-text").value !== "";
    setTyping(on).catch((e) => setStatus(e.message, true));
    if (on) typingTimer = setTimeout(() => setTyping(false).catch(() => {}), TYPING_IDLE_MS);
  });

  $("leave-button").addEventListener("click", action(async () => {
    await call("POST", sessionPath("/leave"));
  }));

  for (const b of document.querySelectorAll("#faults button")) {
    b.addEventListener("click", action(async () => {
      const spec = b.dataset.fault;
      if (spec === "clear") await call("DELETE", "/sim/faults");
      else await call("POST", "/sim/faults", JSON.parse(spec));
      setStatus(`fault applied: ${b.textContent}`);
    }));
  }

  poll();
})();
