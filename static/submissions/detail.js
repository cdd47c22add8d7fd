/*
 * Submission Live: a submission's page, kept current over its WebSocket.
 *
 * The server numbers each submission's status events 1, 2, 3… with no gap,
 * so the page only has to remember the last seq it applied (`lastSeq`):
 * duplicates are dropped, a gap asks the server to replay, and a reconnect
 * resumes with `?since=lastSeq`. Status names, colours, actions and which
 * statuses mean a running job come from the server's tables
 * (`LiveSocket.config`). Nothing here trusts frame text: every string goes
 * in through textContent, never innerHTML.
 *
 * Plain ES2020, no build step; socket.js is the only other file it needs.
 */
(() => {
  "use strict";

  const RESUME_RETRY_MS = 5000;
  const TIMELINE_MAX = 200;
  const ACTION_SETTLE_MS = 10000;
  // Screen readers hear the progress at most this often (WCAG 2.1 SC 4.1.3 without flooding).
  const ANNOUNCE_EVERY_MS = 5000;
  // The rate is measured over this window of progress frames.
  const RATE_WINDOW_MS = 10000;

  // The connection rules live in socket.js, with the server's status tables and the shared badges.
  const { ReconnectingSocket, State, config, el, readJson, watchNetwork, view } = window.LiveSocket;
  const { dateTime, parseDate, setStatusBadge, localiseTimes, showConnection, markStale } = view;
  const pad = (n) => String(n).padStart(2, "0");

  /** The label of a queued job: "Queued (2 ahead of you)". */
  function queuedLabel(ahead) {
    const n = Number(ahead);
    if (!Number.isInteger(n) || n < 0) return "Queued";
    return n === 0 ? "Queued (next in line)" : `Queued (${n} ahead of you)`;
  }

  const number = (n) => Number(n).toLocaleString("en-US");

  /** 6 s, 4 min, 1 h 5 min (operations/progress_text.py says it the same way). */
  function secondsText(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    const minutes = Math.round(s / 60);
    return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }

  /** "12,000 of 36,000 records · 4,100/s · about 6 s left" */
  function progressText(done, total, rate, unit = "records") {
    const parts = [total ? `${number(done)} of ${number(total)} ${unit}` : `${number(done)} ${unit}`];
    if (rate) {
      parts.push(`${number(Math.round(rate))}/s`);
      if (total && done < total) parts.push(`about ${secondsText((total - done) / rate)} left`);
    }
    return parts.join(" · ");
  }

  const elapsedText = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${pad(s % 60)} elapsed`;
  };

  /** Records per second over the last RATE_WINDOW_MS of one phase. */
  class RateMeter {
    constructor() {
      this.samples = [];
      this.phase = null;
      this.started = Date.now();
    }

    add(phase, done, now = Date.now()) {
      const last = this.samples[this.samples.length - 1];
      if (phase !== this.phase || (last && done < last[1])) {
        this.samples = [];
        this.phase = phase;
        this.started = now;
      }
      this.samples.push([now, done]);
      while (this.samples.length > 2 && now - this.samples[0][0] > RATE_WINDOW_MS) this.samples.shift();
    }

    rate() {
      if (this.samples.length < 2) return null;
      const [t0, d0] = this.samples[0];
      const [t1, d1] = this.samples[this.samples.length - 1];
      return t1 > t0 && d1 > d0 ? ((d1 - d0) * 1000) / (t1 - t0) : null;
    }
  }

  class SubmissionSocket extends ReconnectingSocket {
    /**
     * @param {{submission:number, path:string, seq:number, status:number, renderer:object}} options
     * `renderer` gets status(frame), snapshot(frame), progress(frame) and
     * connection(state, since); this class owns ordering, socket.js reconnection.
     */
    constructor({ submission, path, seq, status, renderer }) {
      super({ path, onState: (state, since) => renderer.connection(state, since) });
      this.submission = Number(submission);
      this._lastSeq = Number(seq) || 0;
      this.status = Number(status);
      this.renderer = renderer;
      this.resumeSent = null; // {since, at}
    }

    get lastSeq() {
      return this._lastSeq;
    }

    /** Resume where this page is: the server replays what it missed, or sends a snapshot. */
    url() {
      return `${super.url()}?since=${this._lastSeq}`;
    }

    _opened() {
      this.resumeSent = null;
      super._opened();
    }

    accepts(frame) {
      return frame.submission === undefined || Number(frame.submission) === this.submission;
    }

    /** Ask for a replay after lastSeq, at most once per RESUME_RETRY_MS for the same seq. */
    _resume() {
      const now = Date.now();
      const sent = this.resumeSent;
      if (sent && sent.since === this._lastSeq && now - sent.at < RESUME_RETRY_MS) return;
      this.resumeSent = { since: this._lastSeq, at: now };
      this._send({ type: "resume", since: this._lastSeq });
    }

    /** Apply one server frame by the ordering rules; public for tests. */
    handle(frame) {
      const seq = Number(frame.seq);
      switch (frame.type) {
        case "status":
          if (!Number.isInteger(seq) || seq <= this._lastSeq) return; // duplicate
          if (seq > this._lastSeq + 1) {
            this._resume(); // gap: the server replays, in order
            return;
          }
          this._lastSeq = seq;
          this.status = Number(frame.status);
          this.resumeSent = null;
          this.renderer.status(frame);
          return;
        case "snapshot":
          if (!Number.isInteger(seq)) return;
          this._lastSeq = seq;
          this.status = Number(frame.status);
          this.resumeSent = null;
          this.renderer.snapshot(frame);
          return;
        case "progress":
          if (!Number.isInteger(seq) || seq < this._lastSeq || !config.jobRunning(frame.status)) return;
          if (seq > this._lastSeq) this._resume(); // a status event we have not seen
          else if (this.status !== Number(frame.status)) return;
          if (frame.progress) this.renderer.progress(frame);
          return;
        default:
          return; // "pong" only proves the socket is alive
      }
    }
  }

  class DetailRenderer {
    constructor(root) {
      this.root = root;
      this.$ = (id) => root.getElementById(id);
      this.meter = new RateMeter();
      this.announced = 0;
    }

    connection(state, since) {
      showConnection(this.$("connection"), state, since);
      markStale(this.$("status-badge"), state);
    }

    status(frame) {
      this._apply(frame);
      this._timelineEntry(frame);
    }

    snapshot(frame) {
      this._apply(frame);
      this._timelineNote(frame, "resynchronised");
    }

    progress(frame) {
      const { phase, done, total, queued, ahead } = frame.progress;
      const now = Date.now();
      this.meter.add(phase, done, now);
      const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
      const text = progressText(done, total, this.meter.rate(), phase === "submission" ? "records submitted" : "records");
      // A job waiting for a worker says its place in the line (as selectors.queued_label does).
      const label = queued ? queuedLabel(ahead) : `${phase}: ${text}`;
      const box = this.$("progress");
      const bar = this.$("progress-bar");
      box.classList.remove("d-none");
      box.dataset.phase = phase;
      box.dataset.state = queued ? "queued" : "running";
      bar.style.width = `${percent}%`;
      bar.setAttribute("aria-valuenow", String(percent));
      bar.setAttribute("aria-valuetext", label);
      this.$("progress-label").textContent = label;
      const elapsed = this.$("progress-elapsed");
      if (elapsed) elapsed.textContent = elapsedText(now - this.meter.started);
      // The visible label changes several times a second; the polite region only every few seconds.
      const spoken = this.$("progress-announcement");
      // A frame with nothing counted yet (a job just claimed, or queued) has no progress to announce.
      if (spoken && total > 0 && (now - this.announced >= ANNOUNCE_EVERY_MS || done >= total)) {
        this.announced = now;
        spoken.textContent = `${phase} ${percent}% done: ${text}`;
      }
    }

    /** The one current notification: error statuses are alerts, everything else a polite status. */
    notify(text, colour, urgent) {
      const banner = this.$("notification");
      for (const cls of [...banner.classList]) if (cls.startsWith("alert-")) banner.classList.remove(cls);
      banner.classList.add(`alert-${colour || "secondary"}`);
      banner.setAttribute("role", urgent ? "alert" : "status");
      banner.setAttribute("aria-live", urgent ? "assertive" : "polite");
      banner.textContent = text || "";
      banner.classList.toggle("d-none", !text);
    }

    _apply(frame) {
      const status = Number(frame.status);
      setStatusBadge(this.$("status-badge"), status, frame.message);

      this.notify(frame.notification_message, config.colour(status), config.alert(status));

      const recordsChanged = frame.type === "status" && config.recordsChanged(status);
      // Counts come with every message after a validation. New records with
      // no validation yet make the old numbers unknown, shown as "–".
      const counts = frame.validation_message && typeof frame.validation_message === "object"
        ? frame.validation_message
        : recordsChanged ? {} : null;
      if (counts) {
        for (const key of ["animals", "samples", "animal_issues", "sample_issues", "animal_unkn", "sample_unkn"]) {
          const node = this.$(`count-${key.replace("_", "-")}`);
          if (node) node.textContent = Number.isInteger(counts[key]) ? String(counts[key]) : "–";
        }
      }
      if (recordsChanged) {
        const stale = this.$("records-stale");
        if (stale) stale.classList.remove("d-none");
      }

      this.actions(status);

      const box = this.$("progress");
      // A phase runs or waits in the queue exactly while the submission is Waiting.
      if (status !== config.codes.WAITING) {
        box.classList.add("d-none");
      } else if (box.classList.contains("d-none")) {
        // A job is starting: show an empty bar until its first progress frame.
        const bar = this.$("progress-bar");
        bar.style.width = "0%";
        bar.setAttribute("aria-valuenow", "0");
        bar.setAttribute("aria-valuetext", "starting…");
        this.$("progress-label").textContent = "starting…";
        const elapsed = this.$("progress-elapsed");
        if (elapsed) elapsed.textContent = "";
        this.meter = new RateMeter();
        box.classList.remove("d-none");
      }
    }

    /** Enable exactly the buttons the status allows (the server checks again). */
    actions(status) {
      const allowed = config.actions(status);
      // Cancel exists only while a phase runs or waits; once pressed it stays
      // pressed until the phase ends (the job stops at its next progress report).
      if (!allowed.has("cancel")) this.cancelPending = false;
      this.$("cancel-form")?.classList.toggle("d-none", !allowed.has("cancel"));
      const cancel = this.$("btn-cancel");
      if (cancel) cancel.disabled = !allowed.has("cancel") || Boolean(this.cancelPending);
      for (const action of ["validate", "submit"]) {
        const button = this.$(`btn-${action}`);
        if (button) button.disabled = !allowed.has(action);
      }
      const edit = this.$("btn-edit");
      if (edit) {
        const off = !allowed.has("edit");
        edit.classList.toggle("disabled", off);
        if (off) {
          edit.setAttribute("aria-disabled", "true");
          edit.setAttribute("tabindex", "-1");
        } else {
          edit.removeAttribute("aria-disabled");
          edit.removeAttribute("tabindex");
        }
      }
      // Forms that need an action (the record actions need "edit") sit in a
      // fieldset naming it; a disabled fieldset disables every control in it.
      for (const fieldset of this.root.querySelectorAll("fieldset[data-needs]")) {
        fieldset.disabled = !allowed.has(fieldset.dataset.needs);
      }
      for (const hint of this.root.querySelectorAll("[data-needs-hint]")) {
        hint.classList.toggle("d-none", allowed.has(hint.dataset.needsHint));
      }
    }

    /**
     * The answer to an action. A start needs no words of its own: its status
     * event ("Validation started.") becomes the notification a moment later.
     * A refusal is the current notification until the next status event.
     */
    feedback(kind, text) {
      if (kind === "danger") this.notify(text, "danger", true);
    }

    _prepend(item) {
      const list = this.$("timeline");
      list.querySelector("[data-empty]")?.remove();
      list.prepend(item);
      while (list.children.length > TIMELINE_MAX) list.lastElementChild.remove();
    }

    _time(frame) {
      const d = parseDate(frame.timestamp);
      const node = el("time", "text-body-secondary me-2", dateTime(d));
      node.setAttribute("datetime", d.toISOString());
      return node;
    }

    _timelineEntry(frame) {
      const list = this.$("timeline");
      if (list.querySelector(`[data-seq="${Number(frame.seq)}"]`)) return; // server-rendered already
      const status = Number(frame.status);
      const item = el("li", "list-group-item small");
      item.dataset.seq = String(Number(frame.seq));
      item.append(
        this._time(frame),
        el("span", `badge text-bg-${config.colour(status)} me-2`, config.name(status) || frame.message),
        el("span", "text-break", frame.notification_message || ""),
      );
      this._prepend(item);
    }

    _timelineNote(frame, text) {
      const item = el("li", "list-group-item small fst-italic text-body-secondary");
      item.dataset.note = "resync";
      item.append(this._time(frame), el("span", null, text));
      this._prepend(item);
    }
  }

  /**
   * While live, Validate and Submit post with fetch and the page stays put:
   * the socket shows Waiting, the progress and the result. Otherwise, or on
   * any unexpected answer (expired session, CSRF failure), the form posts
   * normally and the server's redirect and message take over.
   */
  function enhanceActionForms(client, renderer) {
    for (const form of document.querySelectorAll("form[data-live-action]")) {
      form.addEventListener("submit", (event) => {
        if (client.state !== State.LIVE || typeof window.fetch !== "function") return;
        event.preventDefault();
        const button = form.querySelector("button[type=submit]");
        if (button) button.disabled = true;
        const request = {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        };
        fetch(form.action, request)
          .then(async (response) => {
            const body = await response.json().catch(() => null);
            if (response.status === 202 && body) {
              if (form.id === "cancel-form") renderer.cancelPending = true;
              renderer.feedback("success", body.message || "Started.");
              // The status frame normally sets the buttons; this only
              // covers a frame that never comes.
              setTimeout(() => renderer.actions(client.status), ACTION_SETTLE_MS);
            } else if (response.status === 409 && body) {
              renderer.feedback("danger", body.error || "This action is not allowed now.");
              renderer.actions(client.status);
            } else {
              form.submit();
            }
          })
          .catch(() => form.submit());
      });
    }
  }

  function startDetail(state) {
    const renderer = new DetailRenderer(document);
    localiseTimes(document.getElementById("timeline") || document);
    const client = new SubmissionSocket({
      submission: state.submission,
      path: state.ws_path,
      seq: state.seq,
      status: state.status,
      renderer,
    });
    enhanceActionForms(client, renderer);
    watchNetwork([client]);
    client.start();
  }

  function boot() {
    const state = readJson("submission-state");
    if (state && config) startDetail(state);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
