"""gunicorn's threaded worker, taking a new connection only when it has a thread free for it.

gunicorn's gthread worker accepts every connection the kernel offers, whether or not its threads
are busy: on a loaded site one process ends up with a queue of new visitors behind its threads
while another process's threads are idle, and those visitors wait several times longer than the
rest (under the viral confirmation benchmark, p50 100 ms and p90 330 ms). This worker stops
accepting while all its threads are busy, so a new connection stays in the kernel's queue, which
every process takes from, until some process can serve it at once. Requests on connections it
already holds (keep-alive) are served as before.

Procfile: `gunicorn config.wsgi --worker-class config.gunicorn_workers.ThreadWorker ...`.
"""

from gunicorn.workers.gthread import ThreadWorker as GunicornThreadWorker


class ThreadWorker(GunicornThreadWorker):
    def __init__(self, *args, **kwargs):
        self._busy = 0
        super().__init__(*args, **kwargs)

    # gunicorn's loop accepts while nr_conns < worker_connections: the limit it compares with is
    # the configured one while a thread is free, and no more than what it holds while none is.
    @property
    def worker_connections(self) -> int:
        if self._busy >= self.cfg.threads:
            return min(self._max_connections, self.nr_conns)
        return self._max_connections

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._max_connections = value

    def enqueue_req(self, conn):
        self._busy += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        self._busy -= 1
        super().finish_request(conn, fs)
