"""Virtual visitors for the benchmarks that post forms: threads that each act like a browser
(a cookie jar, the CSRF token from the page it just read) and time every request by its label.

Cheap on purpose, so the load client does not starve the server it shares two CPUs with: plain
sockets on keep-alive connections, no HTML parsing beyond one regular expression.

    def sign(visitor, number):
        page = visitor.get("/act/some-petition/", label="page")
        visitor.post("/act/some-petition/", {"email": f"v{number}@example.org", ...}, label="post", csrf_from=page)

    load = run_visitors("http://127.0.0.1:8000", sign, concurrency=32, duration=10)
    load.stats["post"].p99_ms
"""

from __future__ import annotations

import itertools
import math
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    elapsed_ms: float

    def csrf_token(self) -> str | None:
        """The form's CSRF token; None when the page has none (the anonymous action page is shared
        from the cache and its form is checked by Origin instead), as a browser would post it."""
        match = _CSRF_INPUT.search(self.body)
        return match.group(1).decode() if match else None


@dataclass
class Stats:
    """Latencies of one label's successful and failed requests."""

    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def percentile(self, percent: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        # Nearest rank: the smallest value with at least `percent` of them at or below it.
        index = min(len(ordered) - 1, max(0, math.ceil(percent / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50_ms(self) -> float:
        return self.percentile(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile(99)


@dataclass
class LoadResult:
    duration: float
    stats: dict[str, Stats]
    completed: int  # scenarios that ran to the end without an error
    errors: list[str]
    client_cpu_percent: float  # of one CPU, for the load client itself

    @property
    def completed_per_second(self) -> float:
        return self.completed / self.duration if self.duration else 0.0

    @classmethod
    def combined(cls, results: list[LoadResult]) -> LoadResult:
        """Several runs of one scenario (phases alternating with another's) as one."""
        stats: dict[str, Stats] = {}
        for result in results:
            for label, each in result.stats.items():
                total = stats.setdefault(label, Stats())
                total.latencies_ms.extend(each.latencies_ms)
                total.failures += each.failures
                for code, n in each.statuses.items():
                    total.statuses[code] = total.statuses.get(code, 0) + n
        duration = sum(result.duration for result in results)
        return cls(
            duration=duration,
            stats=stats,
            completed=sum(result.completed for result in results),
            errors=[error for result in results for error in result.errors],
            client_cpu_percent=sum(r.client_cpu_percent * r.duration for r in results) / duration if duration else 0,
        )

    def summary(self) -> str:
        client = f"the load client used {self.client_cpu_percent:.0f}% of a CPU"
        lines = [f"   {self.completed} scenarios in {self.duration:.1f}s; {client}"]
        for label, stats in self.stats.items():
            statuses = ", ".join(f"{code}: {n}" for code, n in sorted(stats.statuses.items()))
            lines.append(
                f"   {label}: {stats.count} ok, {stats.failures} failed ({statuses}); "
                f"p50 {stats.p50_ms:.1f} ms, p90 {stats.percentile(90):.1f} ms, p99 {stats.p99_ms:.1f} ms, "
                f"max {max(stats.latencies_ms, default=float('nan')):.1f} ms"
            )
        return "\n".join(lines)


class RequestFailed(Exception):
    pass


class _Closed(Exception):
    """The server closed the connection."""


class Visitor:
    """One browser: a keep-alive connection, a cookie jar, timings shared with the other visitors.

    HTTP/1.1 over a plain socket, parsed no further than the status, the headers and the body's
    length: http.client and http.cookies cost the load client several times the CPU for the same
    requests, which the server it shares two CPUs with then lacks."""

    def __init__(self, base_url: str, stats: dict[str, Stats], lock: threading.Lock, headers: dict | None = None):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.netloc = parts.netloc
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.cookies: dict[str, str] = {}
        self.headers = {"Accept-Language": "en", "User-Agent": "rally-bench", **(headers or {})}
        self._stats = stats
        self._lock = lock

    def new_session(self) -> None:
        """A new supporter's browser: no cookies, and a connection of its own."""
        self.cookies.clear()
        self.close()

    def _record(self, label: str, response: Response | None, ok: bool) -> None:
        with self._lock:
            stats = self._stats.setdefault(label, Stats())
            if response is not None:
                stats.statuses[response.status] = stats.statuses.get(response.status, 0) + 1
            if ok and response is not None:
                stats.latencies_ms.append(response.elapsed_ms)
            else:
                stats.failures += 1

    def _receive(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise _Closed("the server closed the connection")
        self.buffer += chunk

    def _read_until(self, marker: bytes) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            self._receive()
        found, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return found

    def _read_exactly(self, length: int) -> bytes:
        while len(self.buffer) < length:
            self._receive()
        found, self.buffer = self.buffer[:length], self.buffer[length:]
        return found

    def _read_response(self) -> tuple[int, list[tuple[str, str]], bytes]:
        head = self._read_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in head[1:] if ":" in line]
        fields = {name.lower(): value for name, value in headers}
        if "content-length" in fields:
            body = self._read_exactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            pieces = []
            while size := int(self._read_until(b"\r\n").split(b";")[0], 16):
                pieces.append(self._read_exactly(size))
                self._read_until(b"\r\n")
            self._read_until(b"\r\n")
            body = b"".join(pieces)
        else:
            while True:  # the body ends with the connection
                try:
                    self._receive()
                except _Closed:
                    break
            body, self.buffer = self.buffer, b""
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    def request(self, method: str, path: str, *, label: str, body: bytes | None = None, headers=None, expect=200):
        headers = {**self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Length"] = str(len(body))
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        started = time.perf_counter()
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.host, self.port), timeout=60)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.sendall(message)
            status, response_headers, data = self._read_response()
        except (OSError, ValueError, IndexError, _Closed) as error:
            self.close()
            self._record(label, None, ok=False)
            raise RequestFailed(f"{method} {path}: {type(error).__name__}: {error}") from error
        response = Response(status, data, response_headers, (time.perf_counter() - started) * 1000)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    cookie, cookie_value = pair.split("=", 1)
                    self.cookies[cookie.strip()] = cookie_value.strip()
        ok = response.status == expect
        self._record(label, response, ok)
        if not ok:
            raise RequestFailed(f"{method} {path}: HTTP {response.status}")
        return response

    def get(self, path: str, *, label: str, headers=None, expect=200) -> Response:
        return self.request("GET", path, label=label, headers=headers, expect=expect)

    def post(self, path: str, data: dict, *, label: str, csrf_from: Response | None = None, headers=None, expect=200):
        """Posts a form like a browser: with the page's CSRF token (if it has one) and the same origin."""
        token = csrf_from.csrf_token() if csrf_from is not None else None
        if token is not None:
            data = {**data, "csrfmiddlewaretoken": token}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": f"{self.origin}{path}",
            **(headers or {}),
        }
        return self.request("POST", path, label=label, body=urlencode(data).encode(), headers=headers, expect=expect)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.buffer = b""


def run_visitors(
    base_url: str,
    scenario: Callable[[Visitor, int], None],
    *,
    concurrency: int,
    duration: float,
    max_scenarios: int | None = None,
) -> LoadResult:
    """`concurrency` visitors each run scenario(visitor, number) over and over for `duration` seconds
    (or until max_scenarios have started); every number is used once across all of them."""
    stats: dict[str, Stats] = {}
    lock = threading.Lock()
    numbers = itertools.count() if max_scenarios is None else iter(range(max_scenarios))
    completed = itertools.count()  # next() is atomic under the GIL
    errors: list[str] = []
    start_gate = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def work() -> None:
        visitor = Visitor(base_url, stats, lock)
        start_gate.wait()
        try:
            while time.monotonic() < deadline[0]:
                with lock:
                    number = next(numbers, None)
                if number is None:
                    return
                try:
                    scenario(visitor, number)
                    next(completed)
                except RequestFailed as error:
                    with lock:
                        if len(errors) < 20:
                            errors.append(str(error))
        finally:
            visitor.close()

    # Short switches: a visitor whose response arrived should not wait long for the interpreter.
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    threads = [threading.Thread(target=work, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_started = time.process_time()
    started = time.monotonic()
    deadline[0] = started + duration
    start_gate.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    sys.setswitchinterval(previous_interval)
    done = next(completed)
    return LoadResult(
        duration=elapsed, stats=stats, completed=done, errors=errors, client_cpu_percent=100 * cpu / elapsed
    )
