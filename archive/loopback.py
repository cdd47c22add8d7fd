"""A small BioSamples-style archive on loopback, for tests and demos.

It speaks real HTTP on 127.0.0.1 (a free port), checks the bearer token,
accepts batches and validates them asynchronously on a thread of its own,
as the real archive does: a batch is "pending", then "processing", then
"done" with an accession or errors per record. Tests steer it to answer
with per-record errors, 5xx, timeouts or an expired token.

    python -m archive.loopback --port 8100 --token demo-token

then run the site with ARCHIVE_URL=http://127.0.0.1:8100 ARCHIVE_TOKEN=demo-token.
"""

from __future__ import annotations

import argparse
import itertools
import json
import queue
import re
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BATCH_PATH = re.compile(r"^/batches/(?P<id>[\w-]+)$")
# Faults a test can ask for.
SERVER_ERROR = "500"
TIMEOUT = "timeout"
UNAUTHORIZED = "401"
GARBLED = "garbled"  # a gzip-encoded answer whose body is not gzip


@dataclass
class Fault:
    mode: str
    method: str | None
    # How many matching requests still succeed before the fault starts.
    after: int


@dataclass
class Batch:
    id: str
    samples: list[dict[str, Any]]
    status: str = "pending"
    results: list[dict[str, Any]] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timed-out request, a closed pool) is normal here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackArchive:
    """Start with `start()` (or as a context manager); `url` is the API root."""

    def __init__(self, *, token: str = "loopback-token", hold: bool = False) -> None:
        self.token = token
        # Record name -> error message the archive's validation reports for it.
        self.reject: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self.batches: dict[str, Batch] = {}
        self._keys: dict[str, str] = {}
        self._names: set[str] = set()
        self._accessions = itertools.count(1)
        self._ids = itertools.count(1)
        self._fault: Fault | None = None
        self._lock = threading.Lock()
        self._work: queue.Queue[str | None] = queue.Queue()
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._stopping = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._busy = 0
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # Control, for tests -------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the archive first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail(self, mode: str, *, method: str | None = None, after: int = 0) -> None:
        """Answer matching requests with a fault, after `after` more have succeeded."""
        with self._lock:
            self._fault = Fault(mode=mode, method=method, after=after)

    def heal(self) -> None:
        with self._lock:
            self._fault = None

    def hold(self) -> None:
        """Keep new batches pending until `release()`."""
        self._released.clear()

    def release(self) -> None:
        """Let held batches be processed (the archive's validators catch up)."""
        self._released.set()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until every batch received so far is done."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._busy == 0, timeout=timeout):
                raise TimeoutError("the loopback archive is still processing")

    def posted_samples(self) -> list[str]:
        """Names of every record received, in order, counting resends."""
        with self._lock:
            return [sample["name"] for batch in self.batches.values() for sample in batch.samples]

    # Lifecycle ----------------------------------------------------------------

    def start(self) -> LoopbackArchive:
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        server = self._server
        # A short poll interval makes stop() (and so every test's teardown) quick.
        for target in (lambda: server.serve_forever(poll_interval=0.05), self._process):
            thread = threading.Thread(target=target, name="loopback-archive", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Close the port: from now on connections are refused."""
        self._stopping.set()
        self._released.set()
        self._work.put(None)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> LoopbackArchive:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # The archive's side -------------------------------------------------------

    def _fault_for(self, method: str) -> str | None:
        with self._lock:
            fault = self._fault
            if fault is None or (fault.method is not None and fault.method != method):
                return None
            if fault.after > 0:
                fault.after -= 1
                return None
            return fault.mode

    def _accept(self, key: str, samples: list[dict[str, Any]]) -> Batch:
        with self._lock:
            if key and key in self._keys:
                return self.batches[self._keys[key]]
            batch = Batch(id=f"batch-{next(self._ids)}", samples=samples)
            self.batches[batch.id] = batch
            if key:
                self._keys[key] = batch.id
            self._names.update(sample["name"] for sample in samples)
            self._busy += 1
        self._work.put(batch.id)
        return batch

    def _process(self) -> None:
        while (batch_id := self._work.get()) is not None:
            self._released.wait()
            if self._stopping.is_set():
                return
            with self._lock:
                batch = self.batches[batch_id]
                batch.status = "processing"
            with self._lock:
                batch.results = [self._validate(sample) for sample in batch.samples]
                batch.status = "done"
                self._busy -= 1
                self._idle.notify_all()

    def _validate(self, sample: dict[str, Any]) -> dict[str, Any]:
        errors = []
        if sample["name"] in self.reject:
            errors.append({"message": self.reject[sample["name"]]})
        for relation in sample.get("relationships", []):
            if relation["type"] == "derived from" and relation["target"] not in self._names:
                errors.append({"message": f"derived from unknown record {relation['target']}"})
        if errors:
            return {"name": sample["name"], "errors": errors}
        return {"name": sample["name"], "accession": f"SAMEA9{next(self._accessions):08d}", "errors": []}


def _handler_for(archive: LoopbackArchive) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests assert on archive.requests instead of reading stderr

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self._refused("POST"):
                return
            if self.path != "/batches":
                return self._answer(404, {"error": "not found"})
            try:
                samples = json.loads(body)["samples"]
                well_formed = isinstance(samples, list) and all("name" in sample for sample in samples)
            except (ValueError, KeyError, TypeError):
                well_formed = False
            if not well_formed:
                return self._answer(400, {"error": "expected {'samples': [{'name': ...}, ...]}"})
            batch = archive._accept(self.headers.get("Idempotency-Key", ""), samples)
            self._answer(202, {"id": batch.id, "status": batch.status})

        def do_GET(self) -> None:
            if self._refused("GET"):
                return
            match = BATCH_PATH.match(self.path)
            batch = archive.batches.get(match["id"]) if match else None
            if batch is None:
                return self._answer(404, {"error": "no such batch"})
            with archive._lock:
                document = {"id": batch.id, "status": batch.status, "samples": list(batch.results)}
            self._answer(200, document)

        def _refused(self, method: str) -> bool:
            archive.requests.append((method, self.path))
            if self.headers.get("Authorization") != f"Bearer {archive.token}":
                self._answer(401, {"error": "token expired"})
                return True
            fault = archive._fault_for(method)
            if fault == UNAUTHORIZED:
                self._answer(401, {"error": "token expired"})
            elif fault == SERVER_ERROR:
                self._answer(500, {"error": "internal server error"})
            elif fault == GARBLED:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not gzip!")
            elif fault == TIMEOUT:
                # Hold the answer past the client's timeout; stop() lets go.
                archive._stopping.wait(10)
                self.close_connection = True
            return fault is not None

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--token", default="loopback-token")
    args = parser.parse_args()
    archive = LoopbackArchive(token=args.token)
    archive._server = _Server(("127.0.0.1", args.port), _handler_for(archive))
    threading.Thread(target=archive._process, daemon=True).start()
    print(f"loopback archive on {archive.url} (token {args.token})")
    archive._server.serve_forever()


if __name__ == "__main__":
    main()
