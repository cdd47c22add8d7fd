"""A BioSamples double on loopback, for tests and demos: real HTTP, the documented API.

    POST /ena/submit/webin/auth/token  {"authRealms": ["ENA"], "username", "password"} -> 200 JWT text | 401
    POST /biosamples/samples           a new sample   -> 201 with its accession | 400 | 401
    PUT  /biosamples/samples/{acc}     the sample     -> 200 | 400 | 401 | 403 | 404
    GET  /biosamples/samples/{acc}                     -> 200 | 404

Every document is checked as BioSamples checks it (archive.shape): a sample
BioSamples would refuse gets a 400 with its validation errors, so a test
that sends a malformed document fails. Tests script other answers (5xx,
429 with Retry-After, timeouts, expired tokens) and can hold a request
until released: to kill the submitter mid-phase (`hold_after`), or to keep
each of several submissions in flight until the test lets it go
(`hold_names`, `let_through`).

    python -m archive.loopback --port 8100

then run the site with BIOSAMPLES_URL=http://127.0.0.1:8100/biosamples,
WEBIN_AUTH_URL=http://127.0.0.1:8100/ena/submit/webin/auth,
WEBIN_USERNAME=Webin-demo and WEBIN_PASSWORD=demo-password.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from queue import Queue
from typing import Any

from archive.shape import document_problems

TOKEN_PATH = "/ena/submit/webin/auth/token"
SAMPLES_PATH = "/biosamples/samples"
SAMPLE_PATH = re.compile(r"^/biosamples/samples/(?P<accession>SAM[A-Z]*\d+)$")
TIMEOUT = "timeout"  # a scripted answer: hold the connection past the client's timeout


@dataclass
class Answer:
    status: int | str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    name: str = ""
    at: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a timed-out request, a killed process) is normal here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class BioSamplesDouble:
    """Start with `start()` or as a context manager; `biosamples_url` and `webin_url` are the API roots."""

    def __init__(
        self, *, username: str = "Webin-test", password: str = "webin-password", token_seconds: float = 3 * 3600
    ) -> None:
        self.username, self.password, self.token_seconds = username, password, token_seconds
        self.samples: dict[str, dict[str, Any]] = {}
        self.requests: list[Request] = []
        # Sample name -> validation messages BioSamples answers 400 with.
        self.reject: dict[str, list[str]] = {}
        self.tokens_issued = 0
        self._tokens: dict[str, float] = {}
        self._script: dict[str, list[Answer]] = {}
        self._accessions = itertools.count(1)
        self._lock = threading.Lock()
        self._hold_after: int | None = None
        self.holding = threading.Event()  # set while a held POST waits
        self._released = threading.Event()
        # Name prefix -> the gate its POSTs wait at; `held` gets the prefix each time one waits.
        self._gates: dict[str, threading.Event] = {}
        self.held: Queue[str] = Queue()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Control, for tests -------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start the double first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def biosamples_url(self) -> str:
        return self.url + "/biosamples"

    @property
    def webin_url(self) -> str:
        return self.url + "/ena/submit/webin/auth"

    def script(self, method: str, *answers: int | str | Answer) -> None:
        """Answer the next requests of `method` (POST, PUT, GET or TOKEN) with these, then normally."""
        with self._lock:
            queue = self._script.setdefault(method, [])
            queue.extend(a if isinstance(a, Answer) else Answer(a) for a in answers)

    def hold_after(self, created: int) -> None:
        """Let `created` POSTs through, then hold the next one until `release()`, which fails it unstored."""
        self._hold_after = created
        self._released.clear()

    def release(self) -> None:
        self._hold_after = None
        self._released.set()

    def hold_names(self, *prefixes: str) -> None:
        """Hold each POST of a sample whose name starts with one of `prefixes` until `let_through(prefix)`.

        Unlike `hold_after`, a let-through sample is then stored as usual, and
        so are that prefix's later ones: the held submission simply goes on.
        """
        with self._lock:
            for prefix in prefixes:
                self._gates.setdefault(prefix, threading.Event())

    def let_through(self, prefix: str) -> None:
        self._gates[prefix].set()

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def posted_names(self) -> list[str]:
        return [r.name for r in self.requests if r.method == "POST" and r.path == SAMPLES_PATH]

    def by_name(self, name: str) -> dict[str, Any]:
        matches = [s for s in self.samples.values() if s["name"] == name]
        assert len(matches) == 1, f"{len(matches)} samples named {name!r} in the archive"
        return matches[0]

    # Lifecycle ----------------------------------------------------------------

    def start(self, port: int = 0) -> BioSamplesDouble:
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="biosamples-double", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._released.set()
        for gate in list(self._gates.values()):
            gate.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BioSamplesDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # BioSamples' side ---------------------------------------------------------

    def _scripted(self, method: str) -> Answer | None:
        with self._lock:
            queue = self._script.get(method)
            return queue.pop(0) if queue else None

    def _issue_token(self) -> str:
        expires = time.time() + self.token_seconds
        claims = {"sub": self.username, "exp": int(expires), "n": self.tokens_issued}
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        jwt = f"eyJhbGciOiJub25lIn0.{payload}.double"
        with self._lock:
            self._tokens[jwt] = expires
            self.tokens_issued += 1
        return jwt

    def _authorised(self, header: str | None) -> bool:
        jwt = (header or "").removeprefix("Bearer ")
        with self._lock:
            return self._tokens.get(jwt, 0) > time.time()

    def _exists(self, accession: str) -> bool:
        return accession in self.samples

    def _create(self, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        problems = document_problems(document, accession=None, exists=self._exists)
        problems += self._rejections(document)
        if problems:
            return 400, _bad_request(problems, SAMPLES_PATH)
        self._wait_at_gate(str(document.get("name", "")))
        if self._hold_after is not None and len(self.samples) >= self._hold_after:
            # Held, then failed: the sample is never stored, as when BioSamples did not get to it.
            self.holding.set()
            self._released.wait()
            return 503, {"error": "Service Unavailable"}
        with self._lock:
            accession = f"SAMEA{next(self._accessions):08d}"
            stored = _stored(document, accession)
            self.samples[accession] = stored
        return 201, stored

    def _wait_at_gate(self, name: str) -> None:
        with self._lock:
            gates = [(prefix, gate) for prefix, gate in self._gates.items() if name.startswith(prefix)]
        for prefix, gate in gates:
            if not gate.is_set():
                self.held.put(prefix)
                gate.wait()

    def _update(self, accession: str, document: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if accession not in self.samples:
            return 404, {"error": "Not Found", "message": f"Sample {accession} not found"}
        problems = document_problems(document, accession=accession, exists=self._exists)
        problems += self._rejections(document)
        if problems:
            return 400, _bad_request(problems, f"{SAMPLES_PATH}/{accession}")
        with self._lock:
            stored = _stored(document, accession, created=self.samples[accession].get("create"))
            self.samples[accession] = stored
        return 200, stored

    def _rejections(self, document: Any) -> list[dict[str, Any]]:
        name = document.get("name") if isinstance(document, dict) else None
        return [{"dataPath": ".characteristics", "errors": list(self.reject[name])}] if name in self.reject else []


def _stored(document: dict[str, Any], accession: str, created: str | None = None) -> dict[str, Any]:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    stored = {**document, "accession": accession, "update": now, "create": created or now, "submittedVia": "JSON_API"}
    # BioSamples files a new sample's relationships under its accession.
    stored["relationships"] = [{**relation, "source": accession} for relation in document.get("relationships", [])]
    stored["_links"] = {"self": {"href": f"{SAMPLES_PATH}/{accession}"}}
    return stored


def _bad_request(problems: list[dict[str, Any]], path: str) -> dict[str, Any]:
    """Spring's error document, with the schema validation errors JSON-encoded in `message`."""
    return {"status": 400, "error": "Bad Request", "message": json.dumps(problems), "path": path}


def _handler_for(double: BioSamplesDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests assert on double.requests instead

        def do_POST(self) -> None:
            body = self._body()
            if self.path.split("?")[0] == TOKEN_PATH:
                return self._token(body)
            name = body.get("name", "") if isinstance(body, dict) else ""
            if self._refused("POST", name):
                return
            if self.path != SAMPLES_PATH:
                return self._answer(404, {"error": "Not Found"})
            if not isinstance(body, dict):
                return self._answer(400, {"status": 400, "error": "Bad Request", "message": "JSON parse error"})
            self._answer(*double._create(body))

        def do_PUT(self) -> None:
            body = self._body()
            name = body.get("name", "") if isinstance(body, dict) else ""
            if self._refused("PUT", name):
                return
            match = SAMPLE_PATH.match(self.path)
            if match is None:
                return self._answer(405, {"error": "Method Not Allowed"})
            self._answer(*double._update(match["accession"], body if isinstance(body, dict) else {}))

        def do_GET(self) -> None:
            if self._refused("GET", ""):
                return
            match = SAMPLE_PATH.match(self.path)
            sample = double.samples.get(match["accession"]) if match else None
            if sample is None:
                return self._answer(404, {"error": "Not Found"})
            self._answer(200, sample)

        def _token(self, body: Any) -> None:
            double.requests.append(Request("TOKEN", TOKEN_PATH, at=time.monotonic()))
            scripted = double._scripted("TOKEN")
            if scripted is not None:
                return self._answer(int(scripted.status), {"error": "scripted"}, scripted.headers)
            if not isinstance(body, dict) or "ENA" not in (body.get("authRealms") or []):
                return self._answer(400, {"error": "authRealms must include ENA"})
            if (body.get("username"), body.get("password")) != (double.username, double.password):
                return self._answer(401, {"error": "Incorrect username or password"})
            self._text(200, double._issue_token())

        def _refused(self, method: str, name: str) -> bool:
            double.requests.append(Request(method, self.path, name, time.monotonic()))
            if not double._authorised(self.headers.get("Authorization")):
                self._answer(401, {"error": "Unauthorized", "message": "Full authentication is required"})
                return True
            scripted = double._scripted(method)
            if scripted is None:
                return False
            if scripted.status == TIMEOUT:
                double._stopping.wait(10)  # past the client's timeout; stop() lets go
                self.close_connection = True
                return True
            self._answer(int(scripted.status), {"error": "scripted answer"}, scripted.headers)
            return True

        def _body(self) -> Any:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                return json.loads(raw) if raw else None
            except ValueError:
                return None

        def _answer(self, status: int, document: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/hal+json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def _text(self, status: int, text: str) -> None:
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--username", default="Webin-demo")
    parser.add_argument("--password", default="demo-password")
    args = parser.parse_args()
    double = BioSamplesDouble(username=args.username, password=args.password).start(args.port)
    print(f"BioSamples double: BIOSAMPLES_URL={double.biosamples_url} WEBIN_AUTH_URL={double.webin_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        double.stop()


if __name__ == "__main__":
    main()
