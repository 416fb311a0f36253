"""The embedded default's mail transport: each message in its own file under var/mail/, echoed to
the console so that `make run` shows the verification link right where the server logs."""

import sys
import threading
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FileAndConsoleBackend(BaseEmailBackend):
    def __init__(self, file_path=None, echo=None, **kwargs):
        super().__init__(**kwargs)
        self.file_path = Path(file_path or settings.EMAIL_FILE_PATH)
        self.echo = settings.DEBUG if echo is None else echo
        self._lock = threading.Lock()

    def send_messages(self, email_messages):
        self.file_path.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            data = message.message().as_bytes()
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid4().hex[:8]}.eml"
            (self.file_path / name).write_bytes(data)
            if self.echo:
                with self._lock:
                    sys.stdout.write(data.decode("utf-8", "replace") + "\n" + "-" * 79 + "\n")
                    sys.stdout.flush()
            sent += 1
        return sent
