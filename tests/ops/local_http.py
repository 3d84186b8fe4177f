"""A real HTTP server on 127.0.0.1 for the ops tests, started inside the test, stopped after.

It records every request (method, path, body) and answers with what `answer(path)` returns (a
status, or a status and a body), so a test can play a Slack-compatible webhook, the stack's
public URL or a store of files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    method: str
    path: str
    body: bytes


@dataclass
class LocalServer:
    url: str
    requests: list[Recorded] = field(default_factory=list[Recorded])


@contextmanager
def local_server(
    answer: Callable[[str], int | tuple[int, bytes]] = lambda path: 200,
) -> Iterator[LocalServer]:
    """Serve on 127.0.0.1 (an ephemeral port) until the block ends."""
    server_box: list[LocalServer] = []

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server_box[0].requests.append(Recorded(method, self.path, body))
            answered = answer(self.path)
            status, reply = answered if isinstance(answered, tuple) else (answered, b"ok")
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:
            self._reply("GET")

        def do_POST(self) -> None:
            self._reply("POST")

        def log_message(self, format: str, *args: object) -> None:
            del format, args  # keep pytest's output clean

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_box.append(LocalServer(f"http://127.0.0.1:{httpd.server_address[1]}"))
    # shutdown() waits for the serving loop to notice, which polls every poll_interval seconds
    # (0.5 by default: half a second at the end of every test that serves).
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server_box[0]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
