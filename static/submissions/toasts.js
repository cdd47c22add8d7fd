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

  const MAX_TOASTS = 4;
  const TOAST_DELAY_MS = 15000;
  const TOAST_TEXT_MAX = 200;

  // The connection rules (backoff, pings, close codes) live in socket.js.
  const { ReconnectingSocket, el, readJson, watchNetwork } = window.LiveSocket;

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

  class NotificationSocket extends ReconnectingSocket {
    accepts(frame) {
      return frame.type === "notification";
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

    /** Bring the list page's own rows up to date (after this socket was away). */
    resync() {
      if (!document.getElementById("submission-table") || typeof window.fetch !== "function") return;
      fetch("/api/submissions/", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((rows) => {
          for (const row of rows) {
            const frame = { seq: row.last_seq, status: row.status, message: row.status_name, notification_message: row.notification };
            this.updateRow(Number(row.id), frame);
          }
        })
        .catch(() => {});
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
    let opened = false;
    const onState = (state, since) => {
      area.dataset.state = state;
      // The list page's indicator follows this socket for the person's own rows (live.js).
      window.dispatchEvent(new CustomEvent("notifications-state", { detail: { state, since } }));
      if (state === "live") {
        // No replay on this socket: after a reconnect, read what the rows missed from the JSON API.
        if (opened) notifier.resync();
        opened = true;
      }
    };
    const socket = new NotificationSocket({ path: config.ws_path, onState });
    socket.handle = (frame) => notifier.handle(frame);
    window.submissionNotifications = { socket, notifier };
    watchNetwork([socket]);
    socket.start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
