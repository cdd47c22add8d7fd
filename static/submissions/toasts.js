/*
 * Submission Live: a toast on any page when one of your submissions changes.
 *
 * It listens to the page's one socket on /ws/notifications/ (socket.js
 * `notifications()`, see README, "Notifications"), which the list page's
 * rows (list.js) listen to as well. Each frame names a submission, its
 * title, new status and notification. The page shows a small Bootstrap
 * toast linking to the submission, except on that submission's own page (it
 * updates live already), and only for the person's own submissions (a staff
 * list page hears everyone's). Status names and colours come from the
 * server's tables. Frame text goes in through textContent only.
 *
 * Plain ES2020, no build step.
 */
(() => {
  "use strict";

  const MAX_TOASTS = 4;
  const TOAST_DELAY_MS = 15000;
  const TOAST_TEXT_MAX = 200;

  // The connection rules (backoff, pings, close codes) live in socket.js.
  const { config, notifications, el, readJson } = window.LiveSocket;

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

  class Notifier {
    constructor(area, currentSubmission) {
      this.area = area;
      this.current = currentSubmission;
      this.seqs = new Map(); // submission -> highest seq seen, so nothing shows twice
    }

    frame(frame) {
      const submission = Number(frame.submission);
      const seq = Number(frame.seq);
      if (!Number.isInteger(submission) || !Number.isInteger(seq)) return;
      if (seq <= (this.seqs.get(submission) || 0)) return;
      this.seqs.set(submission, seq);
      // A frame without an owner is from the person's own route.
      const mine = frame.owner === undefined || Number(frame.owner) === Number(config.user);
      if (mine && submission !== this.current) this.toast(submission, frame);
    }

    state(state) {
      this.area.dataset.state = state;
    }

    toast(submission, frame) {
      this.area.querySelector(`.toast[data-submission="${submission}"]`)?.remove();
      while (this.area.children.length >= MAX_TOASTS) this.area.firstElementChild.remove();

      const status = Number(frame.status);
      const node = el("div", "toast");
      node.dataset.submission = String(submission);
      node.setAttribute("role", config.alert(status) ? "alert" : "status");
      node.setAttribute("aria-atomic", "true");

      const header = el("div", "toast-header");
      header.append(
        el("span", `badge text-bg-${config.colour(status)} me-2`, config.name(status) || frame.message || ""),
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
    const area = document.getElementById("toast-area");
    const socket = config && notifications();
    if (!area || !socket) return;
    const detail = readJson("submission-state");
    socket.listen(new Notifier(area, detail ? Number(detail.submission) : null));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
