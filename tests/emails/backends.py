"""A mail backend whose failures each test scripts, counting connections like an SMTP backend."""

import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class ScriptedBackend(BaseEmailBackend):
    """Fails opening with `open_error`, or sending to an address with `errors[address]`.

    An error in `errors` is raised once per send to that address, or every time if the value is
    a list with one element per send (an empty list: accepted).
    """

    open_error: Exception | None = None
    errors: dict = {}
    opened = 0
    closed = 0
    connections_used: list[int] = []
    # Seconds each message takes, as a mail server's replies would.
    send_delay = 0.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None

    @classmethod
    def reset(cls):
        cls.open_error = None
        cls.errors = {}
        cls.opened = 0
        cls.closed = 0
        cls.connections_used = []
        cls.send_delay = 0.0

    def open(self):
        if self.connection is not None:
            return False
        if ScriptedBackend.open_error is not None:
            raise ScriptedBackend.open_error
        ScriptedBackend.opened += 1
        self.connection = ScriptedBackend.opened
        return True

    def close(self):
        if self.connection is not None:
            ScriptedBackend.closed += 1
        self.connection = None

    def send_messages(self, messages):
        new = self.open()
        try:
            for message in messages:
                message.message()  # serialised like a real backend would (header checks included)
                error = ScriptedBackend.errors.get(message.to[0])
                if isinstance(error, list):
                    error = error.pop(0) if error else None
                if error is not None:
                    raise error
                time.sleep(ScriptedBackend.send_delay)
                ScriptedBackend.connections_used.append(self.connection)
                mail.outbox.append(message)
        finally:
            if new:
                self.close()
        return len(messages)
