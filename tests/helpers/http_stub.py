"""A real HTTP server on 127.0.0.1 that answers from a script, for connector and webhook tests.

`responses[path]` is a list of (status, headers, body) answered in order; the last one repeats. Every
request is recorded with its path, query, headers and body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Response = tuple[int, dict[str, str], bytes | str | dict]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpStub:
    responses: dict[str, list[Response]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str, *responses: Response) -> None:
        self.responses[path] = list(responses)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def _handler(stub: HttpStub):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            stub.requests.append(Request(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body))
            queue = stub.responses.get(parts.path) or [(404, {}, {"error": "not found"})]
            status, headers, payload = queue.pop(0) if len(queue) > 1 else queue[0]
            if isinstance(payload, dict):
                payload = json.dumps(payload, ensure_ascii=False)
            data = payload.encode() if isinstance(payload, str) else payload
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:  # keep pytest output clean
            pass

    return Handler


def serve(stub: HttpStub):
    """Start the server in a thread; returns a stop function. `stub.url` is its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
