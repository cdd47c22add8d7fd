/*
 * Submission Live: the list page's rows, fed by the page's one notification socket.
 *
 * No socket per row: every row is updated from the per-user frames on
 * /ws/notifications/ (socket.js `notifications()`, shared with the toasts),
 * so any number of list tabs costs one socket each. Staff, who also see other
 * people's submissions, ask that socket for every submission's frames
 * (`?all=1`). That socket has no replay, so after a reconnect the page
 * re-reads /api/submissions/ and applies whatever moved while it was away.
 * A row only moves forward: a frame or an API row older than what the row
 * shows (by seq) is ignored. Text goes in through textContent only.
 *
 * Plain ES2020, no build step.
 */
(() => {
  "use strict";

  const { State, config, notifications, view } = window.LiveSocket;
  const { dateTime, parseDate, setStatusBadge, localiseTimes, showConnection, markStale } = view;

  class ListRows {
    constructor(table, indicator) {
      this.table = table;
      this.indicator = indicator;
      this.opened = false;
    }

    row(submission) {
      return this.table.querySelector(`tbody tr[data-submission="${Number(submission)}"]`);
    }

    /** One submission moved on: `{seq, status, message, notification_message, timestamp}`. */
    apply(submission, frame) {
      const row = this.row(submission);
      const seq = Number(frame.seq);
      if (!row || !Number.isInteger(seq) || seq <= Number(row.dataset.seq || 0)) return;
      row.dataset.seq = String(seq);
      row.dataset.status = String(Number(frame.status));
      setStatusBadge(row.querySelector("[data-role=status-badge]"), frame.status, frame.message);
      const note = row.querySelector("[data-role=notification]");
      if (note) note.textContent = String(frame.notification_message || "");
      const updated = row.querySelector("[data-role=updated]");
      if (updated && frame.timestamp) {
        const d = parseDate(frame.timestamp);
        updated.setAttribute("datetime", d.toISOString());
        updated.textContent = dateTime(d);
      }
    }

    frame(frame) {
      this.apply(frame.submission, frame);
    }

    state(state, since) {
      showConnection(this.indicator, state, since);
      for (const badge of this.table.querySelectorAll("[data-role=status-badge]")) markStale(badge, state);
      if (state !== State.LIVE) return;
      // The first open follows the server-rendered rows; a later one may have missed events.
      if (this.opened) this.catchUp();
      this.opened = true;
    }

    /** Read where every visible submission is now, and apply what moved. */
    catchUp() {
      if (typeof window.fetch !== "function") return;
      fetch(config.api_submissions, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .then((rows) => {
          for (const row of rows) {
            this.apply(row.id, {
              seq: row.last_seq,
              status: row.status,
              message: row.status_name,
              notification_message: row.notification,
              timestamp: row.updated,
            });
          }
        })
        .catch(() => {}); // the next reconnect tries again
    }
  }

  function boot() {
    const table = document.getElementById("submission-table");
    const indicator = document.getElementById("connection");
    const socket = config && notifications();
    if (!table || !socket) {
      indicator?.classList.add("d-none"); // nothing on this page can go live
      return;
    }
    localiseTimes(table);
    // Rows of other people's submissions (a staff view) need every submission's frames.
    if (config.staff && table.querySelector("tbody tr[data-submission]:not([data-owned])")) socket.everyone = true;
    socket.listen(new ListRows(table, indicator));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
