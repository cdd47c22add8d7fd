/*
 * Submission Live: what every live page shares, written once.
 *
 * - `ReconnectingSocket`: full-jitter exponential backoff; only a connection
 *   that stays up for STABLE_AFTER_MS resets it, so a server that accepts and
 *   drops at once keeps backing off and the page ends up "Offline"; a ping
 *   every PING_EVERY_MS and IDLE_LIMIT_MS without any frame means a dead
 *   socket; 4403 (not yours) and 4401 (signed out) stop for good. Subclasses
 *   supply `url()`, `accepts(frame)` and `handle(frame)`.
 * - `config`: the server's status tables (names, colours, actions, which
 *   statuses mean a running job), read once from the `live-client` JSON that
 *   base.html renders from common.constants. No status code is written here.
 * - `notifications()`: the page's one socket on /ws/notifications/, shared by
 *   toasts.js and the list page (list.js): each listens to its frames.
 * - The badges both pages draw (status, connection), as text only.
 *
 * Frames are parsed as JSON and never turned into HTML.
 * Plain ES2020, no build step; loaded before the scripts that use it.
 */
(() => {
  "use strict";

  const BACKOFF_BASE_MS = 500;
  const BACKOFF_CAP_MS = 15000;
  const STABLE_AFTER_MS = 10000; // an open this long resets the backoff
  const PING_EVERY_MS = 25000;
  const IDLE_LIMIT_MS = 60000; // no frame for this long: the socket is dead
  const IDLE_CHECK_MS = 5000;
  const OFFLINE_AFTER_FAILURES = 3; // failed reconnects before "Offline since"
  const CLOSE_FORBIDDEN = 4403;
  const CLOSE_SESSION_ENDED = 4401;
  const CLOSE_CLIENT_IDLE = 4000;

  const State = Object.freeze({
    CONNECTING: "connecting",
    LIVE: "live",
    RECONNECTING: "reconnecting",
    OFFLINE: "offline",
    DENIED: "denied",
    SIGNED_OUT: "signed-out",
  });

  /** Full jitter: uniform in [0, min(cap, base * 2^attempt)). */
  function backoffDelay(attempt, random = Math.random) {
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
    return Math.floor(random() * ceiling);
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

  /**
   * The server's tables (common/context_processors.py). Codes arrive as JSON
   * keys (strings) and lists; the helpers below answer for a number.
   */
  function readConfig() {
    const raw = readJson("live-client");
    if (!raw) return null;
    const set = (codes) => new Set((codes || []).map(Number));
    const jobRunning = set(raw.job_running);
    const alert = set(raw.alert);
    const recordsChanged = set(raw.records_changed);
    return Object.freeze({
      ...raw,
      name: (status) => raw.names[status],
      colour: (status) => raw.colours[status] || "secondary",
      actions: (status) => new Set(raw.actions[status] || []),
      jobRunning: (status) => jobRunning.has(Number(status)),
      alert: (status) => alert.has(Number(status)),
      recordsChanged: (status) => recordsChanged.has(Number(status)),
    });
  }

  const config = readConfig();

  /** Reconnect every socket now when the network returns or the tab is shown again. */
  function watchNetwork(clients) {
    const nudge = () => clients.forEach((client) => client.reconnectNow());
    window.addEventListener("online", nudge);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") nudge();
    });
  }

  class ReconnectingSocket {
    /** @param {{path:string, onState:(state:string, lostAt:Date|null) => void}} options */
    constructor({ path, onState }) {
      this.path = path;
      this.onState = onState;
      this.ws = null;
      this.state = State.CONNECTING;
      this.attempt = 0;
      this.failures = 0; // connections lost or refused since one stayed up
      this.lostAt = null;
      this.lastFrameAt = 0;
      this.stopped = false;
      this.timers = { reconnect: null, stable: null, ping: null, idle: null };
    }

    start() {
      this.stopped = false;
      this._setState(State.CONNECTING);
      this._connect();
      return this;
    }

    stop() {
      this.stopped = true;
      this._clearTimers(true);
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1000, "page closed");
    }

    /** Try now instead of waiting out the backoff (network back, tab shown). */
    reconnectNow() {
      if (this.stopped || this.state === State.LIVE || this.state === State.DENIED) return;
      if (this.ws && this.ws.readyState === WebSocket.CONNECTING) return;
      this._drop();
      this._connect();
    }

    url() {
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      return `${scheme}//${window.location.host}${this.path}`;
    }

    /** Whether a parsed frame is meant for this client. */
    accepts(frame) {
      return true;
    }

    handle(frame) {}

    _connect() {
      this._clearTimers(true);
      let ws;
      try {
        ws = new WebSocket(this.url());
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
      this.lostAt = null;
      this._setState(State.LIVE);
      this.timers.stable = setTimeout(() => {
        this.attempt = 0;
        this.failures = 0;
      }, STABLE_AFTER_MS);
      this.timers.ping = setInterval(() => this._send({ type: "ping" }), PING_EVERY_MS);
      this.timers.idle = setInterval(() => {
        if (Date.now() - this.lastFrameAt > IDLE_LIMIT_MS) {
          this._drop(CLOSE_CLIENT_IDLE, "no frame received");
          this._lost();
        }
      }, IDLE_CHECK_MS);
    }

    _closed(code) {
      this.ws = null;
      if (code === CLOSE_FORBIDDEN || code === CLOSE_SESSION_ENDED) {
        // Retrying cannot help: the sign-in is gone or the page is not theirs.
        this.stopped = true;
        this._clearTimers(true);
        this._setState(code === CLOSE_FORBIDDEN ? State.DENIED : State.SIGNED_OUT);
        return;
      }
      this._lost();
    }

    /** Forget the current socket without letting its close event count. */
    _drop(code = 1000, reason = "") {
      const ws = this.ws;
      this.ws = null;
      if (ws && ws.readyState <= WebSocket.OPEN) {
        try {
          ws.close(code, reason);
        } catch (error) {
          /* already closing */
        }
      }
    }

    _lost() {
      this._clearTimers(true);
      if (this.stopped) return;
      if (this.lostAt === null) this.lostAt = new Date();
      this.failures += 1;
      const offline = this.failures > OFFLINE_AFTER_FAILURES || navigator.onLine === false;
      this._setState(offline ? State.OFFLINE : State.RECONNECTING);
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.timers.reconnect = setTimeout(() => this._connect(), delay);
    }

    _clearTimers(all) {
      clearTimeout(this.timers.stable);
      clearInterval(this.timers.ping);
      clearInterval(this.timers.idle);
      this.timers.stable = this.timers.ping = this.timers.idle = null;
      if (all) {
        clearTimeout(this.timers.reconnect);
        this.timers.reconnect = null;
      }
    }

    _setState(state) {
      this.state = state;
      this.onState(state, this.lostAt);
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
      if (frame && typeof frame === "object" && this.accepts(frame)) this.handle(frame);
    }
  }

  // -- the page's one notification socket ------------------------------------

  /** /ws/notifications/: frames of type "notification" only, handed to every listener. */
  class NotificationSocket extends ReconnectingSocket {
    constructor(path) {
      super({ path, onState: (state, since) => this.listeners.forEach((l) => l.state && l.state(state, since)) });
      this.listeners = [];
      this.everyone = false;
    }

    /** Staff on the list page ask for every submission's frames (README, "Notifications"). */
    url() {
      return this.everyone ? `${super.url()}?all=1` : super.url();
    }

    accepts(frame) {
      return frame.type === "notification";
    }

    handle(frame) {
      this.listeners.forEach((l) => l.frame && l.frame(frame));
    }

    /** @param {{frame?:(f:object)=>void, state?:(s:string, since:Date|null)=>void}} listener */
    listen(listener) {
      this.listeners.push(listener);
      if (listener.state) listener.state(this.state, this.lostAt);
    }
  }

  let notificationSocket = null;
  let domLoaded = document.readyState === "complete";
  document.addEventListener("DOMContentLoaded", () => {
    domLoaded = true;
  });

  /**
   * The page's notification socket, created on first use and started once
   * every deferred script has run (DOMContentLoaded), so each could listen
   * and say what it needs (`everyone`) before the first connect.
   */
  function notifications() {
    if (notificationSocket) return notificationSocket;
    if (!config) return null;
    const socket = new NotificationSocket(config.notifications_ws_path);
    notificationSocket = socket;
    const start = () => {
      watchNetwork([socket]);
      socket.start();
    };
    if (domLoaded) setTimeout(start, 0);
    else document.addEventListener("DOMContentLoaded", start);
    return socket;
  }

  // -- badges both pages draw -------------------------------------------------

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const dateTime = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(d)}`;

  function parseDate(value) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? new Date() : d;
  }

  /** Replace every `text-bg-*` class, so a badge never carries two colours. */
  function setBadge(node, colour, text) {
    if (!node) return;
    for (const cls of [...node.classList]) if (cls.startsWith("text-bg-")) node.classList.remove(cls);
    node.classList.add(`text-bg-${colour || "secondary"}`);
    node.textContent = text;
  }

  /** A status badge from the server's tables; the frame's own name only for a code the tables lack. */
  function setStatusBadge(node, status, fallbackName) {
    setBadge(node, config.colour(status), config.name(status) || String(fallbackName || ""));
    if (node) node.dataset.status = String(Number(status));
  }

  /** Show each server-rendered UTC time in the reader's time zone. */
  function localiseTimes(root) {
    for (const node of root.querySelectorAll("time[datetime]")) {
      const d = new Date(node.getAttribute("datetime"));
      if (!Number.isNaN(d.getTime())) node.textContent = dateTime(d);
    }
  }

  const CONNECTION_VIEW = {
    [State.CONNECTING]: ["secondary", () => "Connecting…"],
    [State.LIVE]: ["success", () => "Live"],
    [State.RECONNECTING]: ["warning", () => "Reconnecting…"],
    [State.OFFLINE]: ["danger", (since) => `Offline since ${clock(since || new Date())}`],
    [State.DENIED]: ["danger", () => "Offline: access denied"],
    [State.SIGNED_OUT]: ["danger", () => "Offline: signed out, sign in again"],
  };

  /** The connection indicator (role=status, so a change is announced). */
  function showConnection(node, state, since) {
    const [colour, text] = CONNECTION_VIEW[state];
    setBadge(node, colour, text(since));
    if (node) node.dataset.state = state;
  }

  /** Marks a status badge as last-known when updates are not arriving. */
  function markStale(badge, state) {
    if (!badge) return;
    const stale = state !== State.LIVE && state !== State.CONNECTING;
    badge.classList.toggle("opacity-50", stale);
    badge.dataset.live = String(state === State.LIVE);
    if (stale) badge.title = "Last known status: this page is not receiving live updates";
    else badge.removeAttribute("title");
  }

  window.LiveSocket = {
    ReconnectingSocket,
    State,
    config,
    notifications,
    el,
    readJson,
    watchNetwork,
    view: { clock, dateTime, parseDate, setBadge, setStatusBadge, localiseTimes, showConnection, markStale },
  };
})();
