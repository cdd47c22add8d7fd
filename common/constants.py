"""Submission statuses: the codes on the wire and their display names.

The codes are part of the public WebSocket contract (`status` in every
frame), so they never change meaning.
"""

from __future__ import annotations

WAITING = 0
LOADED = 1
SUBMITTED = 2
ERROR = 3
NEED_REVISION = 4
READY = 5
COMPLETED = 6

STATUSES = (
    (WAITING, "Waiting"),
    (LOADED, "Loaded"),
    (SUBMITTED, "Submitted"),
    (ERROR, "Error"),
    (NEED_REVISION, "Need Revision"),
    (READY, "Ready"),
    (COMPLETED, "Completed"),
)

STATUS_NAMES: dict[int, str] = dict(STATUSES)

# Bootstrap contextual colour for each status badge.
STATUS_COLOURS: dict[int, str] = {
    WAITING: "info",
    LOADED: "primary",
    SUBMITTED: "secondary",
    ERROR: "danger",
    NEED_REVISION: "warning",
    READY: "success",
    COMPLETED: "dark",
}

# Which user actions each status allows. Views enforce this and pages use it
# to enable buttons, so both read the same table.
VALIDATE = "validate"
SUBMIT = "submit"
EDIT = "edit"
# Stop the phase that runs (or waits in the queue); only Waiting has one to stop.
CANCEL = "cancel"
ACTIONS_BY_STATUS: dict[int, frozenset[str]] = {
    WAITING: frozenset({CANCEL}),
    LOADED: frozenset({VALIDATE, EDIT}),
    SUBMITTED: frozenset(),
    ERROR: frozenset({VALIDATE, EDIT}),
    NEED_REVISION: frozenset({VALIDATE, EDIT}),
    READY: frozenset({VALIDATE, SUBMIT, EDIT}),
    COMPLETED: frozenset(),
}

# Progress phases carried in progress frames.
PHASE_IMPORT = "import"
PHASE_VALIDATION = "validation"
PHASE_SUBMISSION = "submission"

# Where a phase's job is: waiting for a free worker, or working. Only a
# running job beats a heartbeat, so only a running job can be judged dead.
JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_STATES = ((JOB_QUEUED, "Queued"), (JOB_RUNNING, "Running"))

# Tight per-record loops (parsing, validating) tell their progress callback
# every this many records: a call costs ~0.3 µs, twice per record, which
# alone was over 2% of a 100,000-record pipeline; 64 records take well under
# a millisecond, far below the reporter's 0.1 s throttle.
PROGRESS_STRIDE = 64
