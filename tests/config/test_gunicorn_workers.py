"""The threaded gunicorn worker that takes new connections only while a thread is free."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from config.gunicorn_workers import ThreadWorker

BASE_DIR = Path(__file__).resolve().parents[2]


def _worker(*, threads: int, busy: int, connections: int, limit: int = 1000) -> ThreadWorker:
    worker = object.__new__(ThreadWorker)  # no arbiter, sockets or config file: only the accounting
    worker.cfg = SimpleNamespace(threads=threads)
    worker._busy = busy
    worker.nr_conns = connections
    worker.worker_connections = limit
    return worker


def test_it_accepts_while_a_thread_is_free_and_stops_when_all_are_busy():
    # gunicorn's loop accepts while nr_conns < worker_connections.
    free = _worker(threads=4, busy=3, connections=9)
    assert free.nr_conns < free.worker_connections == 1000
    busy = _worker(threads=4, busy=4, connections=9)
    assert not busy.nr_conns < busy.worker_connections
    # The configured limit still holds when a thread is free.
    full = _worker(threads=4, busy=0, connections=10, limit=10)
    assert not full.nr_conns < full.worker_connections


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn runs on the Linux hosts")
def test_gunicorn_serves_many_connections_at_once_with_it(tmp_path):
    port = _free_port()
    env = dict(os.environ, DEBUG="on", RALLY_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--threads", "2", "--worker-class", "config.gunicorn_workers.ThreadWorker", "--log-level", "warning"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        statuses = []

        def visitor():
            # More connections than threads, each with two requests kept alive.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(2):
                connection.request("GET", "/favicon.ico")
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
            connection.close()

        visitors = [threading.Thread(target=visitor) for _ in range(12)]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join(60)
        assert len(statuses) == 24 and set(statuses) <= {200, 301, 302}
    finally:
        server.terminate()
        server.wait(30)
