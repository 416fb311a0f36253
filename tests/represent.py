"""A local fake of Open North's Represent API for tests: a threaded http.server on 127.0.0.1 and a
random port, answering /representatives/<set>/ (paginated by ?offset=) and /postcodes/<CODE>/
from the JSON fixtures in tests/fixtures/represent/, made with the documented response shapes.
It can be told to time out, answer 500, or return malformed JSON, and it records every path asked.
Tests never reach the real service: the `represent` fixture points REPRESENT_URL here."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "represent"


class FakeRepresent:
    OK, TIMEOUT, ERROR, MALFORMED = "ok", "timeout", "error", "malformed"

    def __init__(self):
        self.mode = self.OK
        self.requests: list[str] = []
        # How long the TIMEOUT mode keeps a request waiting (longer than the client's timeout).
        self.delay = 2.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.requests.append(self.path)
                fake.answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def paths(self, prefix: str) -> list[str]:
        return [path for path in self.requests if path.startswith(prefix)]

    def _fixture(self, path: str) -> Path | None:
        parts = urlsplit(path)
        segments = [segment for segment in parts.path.split("/") if segment]
        if len(segments) == 2 and segments[0] == "representatives":
            offset = parse_qs(parts.query).get("offset", ["0"])[0]
            return FIXTURES / f"{segments[1]}-{offset}.json"
        if len(segments) == 2 and segments[0] == "postcodes":
            return FIXTURES / f"postcode-{segments[1]}.json"
        return None

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == self.TIMEOUT:
            # Then the right answer: a client that waited this long would take it.
            time.sleep(self.delay)
        if self.mode == self.ERROR:
            return self._send(handler, 500, b"<h1>Internal Server Error</h1>", "text/html")
        if self.mode == self.MALFORMED:
            return self._send(handler, 200, b'{"objects": [{"name": "trunc')
        fixture = self._fixture(handler.path)
        if fixture is None or not fixture.exists():
            return self._send(handler, 404, b'{"error": "Not found"}')
        return self._send(handler, 200, fixture.read_bytes())

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str = "application/json; charset=utf-8") -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing to answer


@pytest.fixture
def represent(settings):
    """The fake Represent API, with REPRESENT_URL pointing at it and short timeouts."""
    fake = FakeRepresent()
    settings.REPRESENT_URL = fake.url
    settings.REPRESENT_TIMEOUT_SECONDS = 0.3
    settings.REPRESENT_RETRIES = 1
    yield fake
    fake.close()
