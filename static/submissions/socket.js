/*
 * Submission Live: the reconnecting WebSocket both live clients build on.
 *
 * live.js (a submission's page and the list rows) and toasts.js (the
 * notification socket on every page) need the same connection rules, so they
 * are written once here:
 * - reconnect with full-jitter exponential backoff; only a connection that
 *   stays up for STABLE_AFTER_MS resets it, so a server that accepts and
 *   drops at once keeps backing off and the page ends up "Offline";
 * - ping every PING_EVERY_MS and treat IDLE_LIMIT_MS without any frame as a
 *   dead socket;
 * - 4403 (not yours) and 4401 (signed out) stop for good: retrying cannot help.
 * Subclasses supply `url()`, `accepts(frame)` and `handle(frame)`, and may
 * extend `_opened()`. Frames are parsed as JSON and never turned into HTML.
 *
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

  window.LiveSocket = { ReconnectingSocket, State, backoffDelay, el, readJson, watchNetwork };
})();
