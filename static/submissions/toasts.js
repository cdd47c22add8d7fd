/*
 * Submission Live: a toast on any page when one of your submissions changes.
 *
 * One socket per page on /ws/notifications/ (see README, "Notifications").
 * Each frame names a submission, its title, new status and notification.
 * The page shows a small Bootstrap toast linking to the submission, except
 * on that submission's own page (it updates live already), and on the list
 * page it also updates the submission's row. Frame text goes in through
 * textContent only, never innerHTML.
 *
 * Plain ES2020, no build step. `window.submissionNotifications` for tests.
 */
(() => {
  "use strict";

  const BACKOFF_BASE_MS = 500;
  const BACKOFF_CAP_MS = 15000;
  const STABLE_AFTER_MS = 10000; // an open this long resets the backoff
  const PING_EVERY_MS = 25000;
  const IDLE_LIMIT_MS = 60000; // no frame for this long: the socket is dead
  const IDLE_CHECK_MS = 5000;
  const CLOSE_FORBIDDEN = 4403;
  const CLOSE_SESSION_ENDED = 4401;
  const CLOSE_CLIENT_IDLE = 4000;
  const MAX_TOASTS = 4;
  const TOAST_DELAY_MS = 15000;
  const TOAST_TEXT_MAX = 200;

  /** Full jitter, as live.js: uniform in [0, min(cap, base * 2^attempt)). */
  function backoffDelay(attempt) {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
    return Math.floor(Math.random() * ceiling);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /** Cut at a word boundary, saying so; the full text is on the submission's page. */
  function shorten(text, limit = TOAST_TEXT_MAX) {
    if (text.length <= limit) return text;
    const cut = text.slice(0, limit + 1).search(/\s\S*$/);
    return `${(cut > 0 ? text.slice(0, cut) : text.slice(0, limit)).trimEnd()} …`;
  }

  /** Only a same-site path: a frame can never send the person elsewhere. */
  function safePath(url, submission) {
    return typeof url === "string" && /^\/[^/\\]/.test(url) ? url : `/submissions/${submission}/`;
  }

  class NotificationSocket {
    constructor({ path, onFrame, onState }) {
      this.path = path;
      this.onFrame = onFrame;
      this.onState = onState;
      this.ws = null;
      this.attempt = 0;
      this.stopped = false;
      this.lastFrameAt = 0;
      this.timers = { reconnect: null, stable: null, ping: null, idle: null };
    }

    start() {
      this.stopped = false;
      this.onState("connecting");
      this._connect();
      return this;
    }

    stop() {
      this.stopped = true;
      this._clearTimers();
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1000, "page closed");
    }

    reconnectNow() {
      if (this.stopped || this.ws) return;
      this._clearTimers();
      this._connect();
    }

    _connect() {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      let ws;
      try {
        ws = new WebSocket(`${scheme}//${window.location.host}${this.path}`);
      } catch (error) {
        this._lost();
        return;
      }
      this.ws = ws;
      ws.onopen = () => ws === this.ws && this._opened();
      ws.onmessage = (event) => ws === this.ws && this._received(event.data);
      ws.onclose = (event) => ws === this.ws && this._closed(event.code);
      ws.onerror = () => {}; // a close event always follows
    }

    _opened() {
      this.lastFrameAt = Date.now();
      this.onState("live");
      this.timers.stable = setTimeout(() => (this.attempt = 0), STABLE_AFTER_MS);
      this.timers.ping = setInterval(() => this._send({ type: "ping" }), PING_EVERY_MS);
      this.timers.idle = setInterval(() => {
        if (Date.now() - this.lastFrameAt <= IDLE_LIMIT_MS) return;
        const ws = this.ws;
        this.ws = null;
        if (ws) ws.close(CLOSE_CLIENT_IDLE, "no frame received");
        this._lost();
      }, IDLE_CHECK_MS);
    }

    _closed(code) {
      this.ws = null;
      if (code === CLOSE_FORBIDDEN || code === CLOSE_SESSION_ENDED) {
        // Signed out or not allowed: retrying cannot help.
        this.stopped = true;
        this._clearTimers();
        this.onState(code === CLOSE_FORBIDDEN ? "denied" : "signed-out");
        return;
      }
      this._lost();
    }

    _lost() {
      this._clearTimers();
      if (this.stopped) return;
      this.onState("reconnecting");
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.timers.reconnect = setTimeout(() => this._connect(), delay);
    }

    _clearTimers() {
      clearTimeout(this.timers.reconnect);
      clearTimeout(this.timers.stable);
      clearInterval(this.timers.ping);
      clearInterval(this.timers.idle);
      this.timers = { reconnect: null, stable: null, ping: null, idle: null };
    }

    _send(frame) {
      if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
    }

    _received(data) {
      this.lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(data);
      } catch (error) {
        return;
      }
      if (frame && typeof frame === "object" && frame.type === "notification") this.onFrame(frame);
    }
  }

  class Notifier {
    constructor(area, config, currentSubmission) {
      this.area = area;
      this.config = config;
      this.current = currentSubmission;
      this.seqs = new Map(); // submission -> highest seq seen, so nothing shows twice
    }

    handle(frame) {
      const submission = Number(frame.submission);
      const seq = Number(frame.seq);
      if (!Number.isInteger(submission) || !Number.isInteger(seq)) return;
      if (seq <= (this.seqs.get(submission) || 0)) return;
      this.seqs.set(submission, seq);
      this.updateRow(submission, frame);
      if (submission !== this.current) this.toast(submission, frame);
    }

    /** The list page's row, through its own live client when there is one (it keeps seq order). */
    updateRow(submission, frame) {
      const row = document.querySelector(`#submission-table tr[data-submission="${submission}"]`);
      if (!row) return;
      const client = (window.submissionLiveRows || []).find((c) => c.submission === submission);
      if (client) {
        client.handle({ ...frame, type: "status", validation_message: null });
        return;
      }
      if (Number(frame.seq) <= Number(row.dataset.seq || 0)) return;
      row.dataset.seq = String(Number(frame.seq));
      row.dataset.status = String(Number(frame.status));
      const badge = row.querySelector("[data-role=status-badge]");
      if (badge) {
        for (const cls of [...badge.classList]) if (cls.startsWith("text-bg-")) badge.classList.remove(cls);
        badge.classList.add(`text-bg-${this.config.colours[frame.status] || "secondary"}`);
        badge.textContent = this.config.statuses[frame.status] || String(frame.message || "");
      }
      const note = row.querySelector("[data-role=notification]");
      if (note) note.textContent = String(frame.notification_message || "");
    }

    toast(submission, frame) {
      this.area.querySelector(`.toast[data-submission="${submission}"]`)?.remove();
      while (this.area.children.length >= MAX_TOASTS) this.area.firstElementChild.remove();

      const status = Number(frame.status);
      const node = el("div", "toast");
      node.dataset.submission = String(submission);
      node.setAttribute("role", status === 3 ? "alert" : "status");
      node.setAttribute("aria-atomic", "true");

      const header = el("div", "toast-header");
      const colour = this.config.colours[status] || "secondary";
      header.append(
        el("span", `badge text-bg-${colour} me-2`, this.config.statuses[status] || frame.message || ""),
        el("strong", "me-auto text-truncate", frame.title || `Submission ${submission}`),
      );
      const close = el("button", "btn-close");
      close.type = "button";
      close.dataset.bsDismiss = "toast";
      close.setAttribute("aria-label", "Close");
      header.append(close);

      const body = el("div", "toast-body");
      const text = String(frame.notification_message || "");
      if (text) body.append(el("div", "text-break mb-1", shorten(text)));
      const link = el("a", "small", "Open submission");
      link.href = safePath(frame.url, submission);
      body.append(link);

      node.append(header, body);
      this.area.append(node);
      node.addEventListener("hidden.bs.toast", () => node.remove());
      if (window.bootstrap && window.bootstrap.Toast) {
        window.bootstrap.Toast.getOrCreateInstance(node, { delay: TOAST_DELAY_MS }).show();
      } else {
        node.classList.add("show");
      }
    }
  }

  function boot() {
    const config = readJson("notification-state");
    const area = document.getElementById("toast-area");
    if (!config || !area) return;
    const detail = readJson("submission-state");
    const notifier = new Notifier(area, config, detail ? Number(detail.submission) : null);
    const socket = new NotificationSocket({
      path: config.ws_path,
      onFrame: (frame) => notifier.handle(frame),
      onState: (state) => (area.dataset.state = state),
    });
    window.submissionNotifications = { socket, notifier };
    window.addEventListener("online", () => socket.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") socket.reconnectNow();
    });
    socket.start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
