"""The benchmarks' virtual visitors, against a tiny local server with a CSRF-like check."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from bench.visitors import Stats, run_visitors


class _FormHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    posted: list = []

    def log_message(self, *args):
        pass

    def _reply(self, status: int, body: bytes, cookie: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if "Cookie" in self.headers:  # a new supporter must come without cookies
            return self._reply(400, b"stale cookie")
        token = f"t{threading.get_ident()}{id(self)}"
        body = f'<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'.encode()
        self._reply(200, body, cookie=f"csrftoken={token}; Path=/; SameSite=Lax")

    def do_POST(self):
        fields = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        cookie = self.headers.get("Cookie", "")
        if cookie != f"csrftoken={fields['csrfmiddlewaretoken'][0]}" or self.headers["Origin"] is None:
            return self._reply(403, b"forbidden")
        _FormHandler.posted.append(fields["email"][0])
        self._reply(200, b"check your inbox")


@pytest.fixture
def server():
    _FormHandler.posted = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FormHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_each_visitor_reads_the_page_and_posts_with_its_cookie_and_token(server):
    def sign(visitor, number):
        visitor.new_session()
        page = visitor.get("/form", label="page")
        visitor.post("/form", {"email": f"v{number}@example.org"}, label="post", csrf_from=page)

    load = run_visitors(server, sign, concurrency=4, duration=10, max_scenarios=40)

    assert load.completed == 40 and not load.errors
    assert load.stats["page"].count == load.stats["post"].count == 40
    assert sorted(_FormHandler.posted) == sorted(f"v{n}@example.org" for n in range(40))
    assert 0 < load.stats["post"].p50_ms <= load.stats["post"].p99_ms


def test_refused_posts_are_counted_as_failures(server):
    def forged(visitor, number):
        visitor.new_session()
        visitor.get("/form", label="page")
        visitor.post("/form", {"email": "x@example.org", "csrfmiddlewaretoken": "forged"}, label="post")

    load = run_visitors(server, forged, concurrency=2, duration=10, max_scenarios=6)

    assert load.completed == 0 and len(load.errors) == 6
    assert load.stats["post"].failures == 6 and load.stats["post"].statuses == {403: 6}


def test_percentiles_take_the_nearest_rank():
    stats = Stats(latencies_ms=[float(n) for n in range(1, 101)])
    assert (stats.p50_ms, stats.percentile(90), stats.p99_ms) == (50.0, 90.0, 99.0)
