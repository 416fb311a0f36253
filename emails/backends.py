"""The embedded default's mail transport: each message in its own file under var/mail/, echoed to
the console so that `make run` shows the verification link right where the server logs."""

import smtplib
import sys
import threading
from functools import lru_cache
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone

from .rendering import OutboxMessage, plain_address


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


class _QuickEnvelope:
    """smtplib parses each envelope address again (quoteaddr); a plain one needs only brackets."""

    def mail(self, sender, options=()):
        if options:
            return super().mail(sender, options)
        self.putcmd("mail", f"FROM:<{sender if plain_address(sender) else _envelope_sender(sender)}>")
        return self.getreply()

    def rcpt(self, recip, options=()):
        if plain_address(recip):
            optionlist = " " + " ".join(options) if options and self.does_esmtp else ""
            self.putcmd("rcpt", f"TO:<{recip}>{optionlist}")
            return self.getreply()
        return super().rcpt(recip, options)


class _SMTP(_QuickEnvelope, smtplib.SMTP):
    pass


class _SMTP_SSL(_QuickEnvelope, smtplib.SMTP_SSL):
    pass


@lru_cache(maxsize=64)
def _envelope_sender(address: str) -> str:
    # "Rally <rally@example.org>" → "rally@example.org", parsed once per sender.
    return smtplib.quoteaddr(address).removeprefix("<").removesuffix(">")


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend, with the outbox's messages turned into bytes the quick way.

    Used in place of `django.core.mail.backends.smtp.EmailBackend` (settings.py swaps it in): for
    an OutboxMessage the bytes come from `wire_bytes()` and a plain address is not parsed again;
    every other message goes through Django's own path unchanged.
    """

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        if not isinstance(email_message, OutboxMessage):
            return super()._send(email_message)
        recipients = email_message.recipients()
        if not recipients:
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = _sanitized_sender(str(email_message.from_email), encoding)
        recipients = [
            address if plain_address(address) else sanitize_address(address, encoding) for address in recipients
        ]
        try:
            self.connection.sendmail(from_email, recipients, email_message.wire_bytes())
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


@lru_cache(maxsize=64)
def _sanitized_sender(address: str, encoding: str) -> str:
    # A handful of senders send everything: parse each once.
    return sanitize_address(address, encoding)
