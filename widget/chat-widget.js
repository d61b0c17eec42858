/*
 * Chat widget of the practice assistant: one script tag, plain JavaScript (ES2017), no build,
 * no framework, no CDN, no dependencies.
 *
 * Why our own: the npm candidates don't fit. rasa-webchat (botfront) is unmaintained since 2021
 * and needs socket.io, i.e. sticky sessions across Rasa replicas; @rasahq/rasa-chat is
 * unmaintained and lacks history and accessibility features. Our `web` channel is plain
 * request/response (REST shape), so a small widget over fetch() is all it takes.
 *
 * Embed:
 *   <script src="https://assistent.example.nl/webhooks/web/chat-widget.js"
 *           data-server="https://assistent.example.nl"   (default: the script's own origin)
 *           data-title="Praktijk Veerkracht" data-color="#2f6f62"
 *           data-greeting="hallo"     (sent silently on first open; "" sends nothing)
 *           data-opening="Hoi! ..."   (optional local first message, shown before the greeting)
 *           defer></script>
 *
 * Safety: assistant and visitor text only ever reaches the page through textContent.
 */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || document.querySelector(".bw-root")) return;

  const data = script.dataset;
  const scriptUrl = new URL(script.src, document.baseURI);
  const server = (data.server || scriptUrl.origin).replace(/\/+$/, "");
  const title = data.title || "Chat";
  const greeting = data.greeting === undefined ? "hallo" : data.greeting;
  const STORE_KEY = "bw-chat:" + server;
  const TEXT = {
    launcher: "Chat met ons",
    subtitle: "Digitale assistent",
    placeholder: "Typ je bericht\u2026",
    phonePlaceholder: "Je telefoonnummer",
    inputLabel: "Je bericht",
    send: "Verstuur",
    close: "Sluiten",
    restart: "Nieuw gesprek",
    confirm: "Wil je opnieuw beginnen? Dit gesprek verdwijnt dan uit dit venster.",
    confirmYes: "Ja, begin opnieuw",
    confirmNo: "Annuleren",
    typing: "De assistent typt\u2026",
    log: "Gesprek",
    you: "Jij",
    assistant: "Assistent",
    unreachable: "Ik kan de praktijk nu niet bereiken. Controleer je internetverbinding en " +
      "probeer het zo nog eens. Je kunt ook bellen met de praktijk.",
    failed: "Er ging iets mis. Probeer het zo nog eens.",
    footer: "Geen noodhulp. Bij acute nood: 112 of 113 (0800-0113).",
  };

  // ---- state, kept in sessionStorage so a reload within the session keeps the conversation
  const newSender = () => {
    const bytes = new Uint8Array(10);
    crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const freshState = () => ({ sender: newSender(), open: false, greeted: false, phone: false,
    items: [] });
  const load = () => {
    try {
      const saved = JSON.parse(sessionStorage.getItem(STORE_KEY));
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.items)) return saved;
    } catch (e) { /* storage blocked or corrupt: start fresh */ }
    return freshState();
  };
  const save = () => {
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* ignore */ }
  };
  let state = load();
  let pending = false;

  // ---- DOM helpers
  const el = (tag, cls, props) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else if (key in node && !key.startsWith("aria")) node[key] = value;
      else node.setAttribute(key, value);
    });
    return node;
  };

  // URLs, www., e-mail, bare .nl/.be domains, phone numbers (international, 0..., 112/113/1813)
  // and **bold**. Each part becomes its own text node or link: never HTML.
  const TOKEN = new RegExp([
    /\*\*([^*\n]+)\*\*/.source,
    /([\w.+-]+@[\w-]+(?:\.[\w-]+)+)/.source,
    /((?:https?:\/\/|www\.)[^\s<>"]+)/.source,
    /\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:nl|be)(?:\/[^\s<>"]*)?)/.source,
    /(\+\d{2}(?:[ -]?\d){8,11}|\b0(?:[ -]?\d){7,10}\b|\b(?:112|113|1813)\b)/.source,
  ].join("|"), "gi");
  const TRAILING = /[.,;:!?)\]]+$/;

  const link = (href, label) => {
    const a = el("a", "bw-link", { href, text: label });
    if (!href.startsWith("tel:") && !href.startsWith("mailto:")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  };

  const richText = (parent, text) => {
    let last = 0;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
      let [whole] = m;
      let node;
      if (m[1]) node = el("strong", "bw-strong", { text: m[1] });
      else if (m[2]) node = link("mailto:" + m[2], m[2]);
      else {
        whole = whole.replace(TRAILING, "");
        if (m[3]) node = link(/^www\./i.test(whole) ? "https://" + whole : whole, whole);
        else if (m[4]) node = link("https://" + whole, whole);
        else node = link("tel:" + whole.replace(/[ -]/g, ""), whole);
        TOKEN.lastIndex = m.index + whole.length;
      }
      parent.append(text.slice(last, m.index), node);
      last = m.index + whole.length;
    }
    parent.append(text.slice(last));
    return parent;
  };

  // ---- the widget's elements
  const root = el("div", "bw-root", { hidden: true });
  if (data.color && window.CSS && CSS.supports("color", data.color)) {
    root.style.setProperty("--bw-accent", data.color);
  }
  const launcher = el("button", "bw-launcher", { type: "button", "aria-expanded": "false",
    "aria-controls": "bw-panel" });
  launcher.append(el("span", "bw-launcher-icon", { "aria-hidden": "true" }),
    el("span", "bw-launcher-text", { text: TEXT.launcher }));
  const panel = el("section", "bw-panel", { id: "bw-panel", role: "dialog",
    "aria-label": "Chat met " + title, hidden: true });
  const header = el("header", "bw-header");
  const heading = el("div", "bw-heading");
  heading.append(el("h2", "bw-title", { text: title }),
    el("p", "bw-subtitle", { text: TEXT.subtitle }));
  const restartButton = el("button", "bw-restart", { type: "button", text: TEXT.restart });
  const closeButton = el("button", "bw-close", { type: "button", "aria-label": TEXT.close,
    title: TEXT.close, text: "\u00d7" });
  header.append(heading, restartButton, closeButton);

  const confirmBar = el("div", "bw-confirm", { role: "alertdialog", hidden: true,
    "aria-label": TEXT.restart });
  const confirmText = el("p", "bw-confirm-text", { text: TEXT.confirm });
  const confirmYes = el("button", "bw-confirm-yes", { type: "button", text: TEXT.confirmYes });
  const confirmNo = el("button", "bw-confirm-no", { type: "button", text: TEXT.confirmNo });
  confirmBar.append(confirmText, confirmYes, confirmNo);

  const log = el("div", "bw-log", { role: "log", "aria-live": "polite",
    "aria-label": TEXT.log, tabindex: "0" });
  const typing = el("div", "bw-typing", { role: "status", "aria-label": TEXT.typing,
    hidden: true });
  typing.append(el("span", "bw-dot"), el("span", "bw-dot"), el("span", "bw-dot"),
    el("span", "bw-sr", { text: TEXT.typing }));

  const form = el("form", "bw-form", { autocomplete: "off" });
  const input = el("input", "bw-input", { type: "text", id: "bw-input",
    placeholder: TEXT.placeholder, "aria-label": TEXT.inputLabel, maxLength: 1000 });
  const sendButton = el("button", "bw-send", { type: "submit", text: TEXT.send });
  form.append(input, sendButton);
  const footer = richText(el("p", "bw-footer"), TEXT.footer);
  panel.append(header, confirmBar, log, form, footer);
  root.append(panel, launcher);

  // ---- rendering the transcript
  const scrollDown = () => { log.scrollTop = log.scrollHeight; };

  const renderItem = (item, index) => {
    const row = el("div", "bw-row bw-row-" + item.from);
    if (item.text) {
      const bubble = el("div", "bw-bubble bw-bubble-" + item.from +
        (item.error ? " bw-bubble-error" : ""));
      bubble.append(el("span", "bw-sr", { text: (item.from === "user" ? TEXT.you
        : TEXT.assistant) + ": " }));
      row.append(richText(bubble, item.text));
    }
    if (item.buttons && item.buttons.length) {
      const group = el("div", "bw-chips", { role: "group", "aria-label": "Keuzes" });
      item.buttons.forEach((button) => {
        const chip = el("button", "bw-chip", { type: "button", text: button.title,
          disabled: Boolean(item.used) });
        chip.addEventListener("click", () => choose(index, button));
        group.append(chip);
      });
      row.append(group);
    }
    return row;
  };

  const render = () => {
    log.replaceChildren(...state.items.map(renderItem), typing);
    setPhoneMode(state.phone);
    scrollDown();
  };

  const add = (item) => {
    state.items.push(item);
    log.insertBefore(renderItem(item, state.items.length - 1), typing);
    save();
    scrollDown();
  };

  const setPhoneMode = (on) => {
    state.phone = on;
    input.type = on ? "tel" : "text";
    input.setAttribute("autocomplete", on ? "tel" : "off");
    input.setAttribute("inputmode", on ? "tel" : "text");
    input.placeholder = on ? TEXT.phonePlaceholder : TEXT.placeholder;
  };

  const setBusy = (busy) => {
    pending = busy;
    typing.hidden = !busy;
    sendButton.disabled = busy;
    restartButton.disabled = busy;
    confirmYes.disabled = busy;
    log.setAttribute("aria-busy", String(busy));
    if (busy) scrollDown();
  };

  // ---- talking to the assistant
  // Resolves to true when the message was handled. False when the assistant could not be
  // reached, or refused it (400/413/429/500, each with its own friendly text, shown here):
  // then the caller gives the visitor's message back so nothing is lost.
  const post = async (message) => {
    setBusy(true);
    try {
      const response = await fetch(server + "/webhooks/web/webhook", {
        method: "POST",
        // The load balancer of a scaled deployment routes on this header, so one
        // conversation always reaches the same Rasa replica (deploy/README.md).
        headers: { "Content-Type": "application/json", "X-Conversation-Id": state.sender },
        body: JSON.stringify({ sender: state.sender, message }),
      });
      let replies = await response.json().catch(() => null);
      if (!Array.isArray(replies)) replies = [];
      if (!response.ok && !replies.some((r) => r && r.text)) replies = [{ text: TEXT.failed }];
      if (response.ok) setPhoneMode(false); // a refused phone number keeps the phone keyboard
      replies.forEach((reply) => {
        if (!reply || typeof reply !== "object") return;
        const buttons = Array.isArray(reply.buttons) ? reply.buttons
          .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
          .map((b) => ({ title: b.title, payload: b.payload })) : [];
        const text = typeof reply.text === "string" ? reply.text : "";
        if (text || buttons.length) add({ from: "bot", text, buttons, error: !response.ok });
        if (reply.custom && reply.custom.input === "phone") setPhoneMode(true);
      });
      save();
      return response.ok;
    } catch (e) {
      add({ from: "bot", text: TEXT.unreachable, error: true });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const greet = async () => {
    if (state.greeted || pending) return;
    if (data.opening && !state.items.length) add({ from: "bot", text: data.opening });
    if (!greeting) { state.greeted = true; save(); return; }
    state.greeted = await post(greeting);
    save();
  };

  // A visitor's message that was not handled leaves the transcript again.
  const unsend = (at) => {
    state.items.splice(at, 1);
    save();
    render();
  };

  const sendTyped = async () => {
    const text = input.value.trim();
    if (!text || pending) return;
    input.value = "";
    const at = state.items.length;
    add({ from: "user", text });
    if (!(await post(text))) {
      unsend(at);
      if (!input.value) input.value = text; // nothing is lost: the text is back in the input
    }
    input.focus();
  };

  const choose = async (index, button) => {
    const item = state.items[index];
    if (!item || item.used || pending) return;
    item.used = true;
    render();
    const at = state.items.length;
    add({ from: "user", text: button.title });
    if (!(await post(button.payload))) {
      item.used = false;
      unsend(at);
    }
    input.focus();
  };

  // ---- opening, closing, starting over
  // focus: move focus (to the input on open, back to the launcher on close); not on restore.
  const setOpen = (open, focus) => {
    state.open = open;
    save();
    panel.hidden = !open;
    root.classList.toggle("bw-is-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      scrollDown();
      if (focus) input.focus();
      greet();
    } else {
      showConfirm(false);
      if (focus) launcher.focus();
    }
  };

  const showConfirm = (show) => {
    confirmBar.hidden = !show;
    restartButton.setAttribute("aria-expanded", String(show));
    if (show) confirmNo.focus();
  };

  const restart = () => {
    try { sessionStorage.removeItem(STORE_KEY); } catch (e) { /* ignore */ }
    state = Object.assign(freshState(), { open: true });
    save();
    showConfirm(false);
    render();
    input.value = "";
    input.focus();
    greet();
  };

  launcher.addEventListener("click", () => setOpen(!state.open, true));
  closeButton.addEventListener("click", () => setOpen(false, true));
  restartButton.addEventListener("click", () => showConfirm(confirmBar.hidden));
  confirmNo.addEventListener("click", () => { showConfirm(false); restartButton.focus(); });
  confirmYes.addEventListener("click", restart);
  form.addEventListener("submit", (event) => { event.preventDefault(); sendTyped(); });
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!confirmBar.hidden) { showConfirm(false); restartButton.focus(); return; }
    setOpen(false, true);
  });

  // ---- mount: the stylesheet lives next to the script; show the widget once it is loaded
  const mount = () => {
    const css = el("link", "", { rel: "stylesheet",
      href: new URL("chat-widget.css", scriptUrl).href });
    const show = () => { root.hidden = false; };
    css.addEventListener("load", show);
    css.addEventListener("error", show);
    document.head.append(css);
    document.body.append(root);
    render();
    if (state.open) setOpen(true, false);
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
