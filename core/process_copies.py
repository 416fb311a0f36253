"""Copies a web process keeps for itself, read by all its threads: a shared page it served, an
action it signs for, a fragment that only changes with its version. Few, and each for a while."""

import time

_every: list["ProcessCopies"] = []


class ProcessCopies:
    """At most `size` values, each usable for `seconds` after it was put (or as `put` says)."""

    def __init__(self, *, seconds: float, size: int = 200):
        self.seconds = seconds
        self.size = size
        self._held: dict = {}  # key -> (monotonic time it may be used until, value)
        _every.append(self)

    def get(self, key):
        held = self._held.get(key)
        if held is None or held[0] <= time.monotonic():
            return None
        return held[1]

    def put(self, key, value, *, seconds: float | None = None) -> None:
        if len(self._held) >= self.size and key not in self._held:
            # All at once: simpler than choosing one, and only reached with hundreds of actions.
            self._held.clear()
        self._held[key] = (time.monotonic() + (self.seconds if seconds is None else seconds), value)

    def forget(self, key) -> None:
        self._held.pop(key, None)

    def clear(self) -> None:
        self._held.clear()


def forget_process_copies() -> None:
    """Empties every ProcessCopies of this process (tests start from an empty cache)."""
    for copies in _every:
        copies.clear()
