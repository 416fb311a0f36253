"""Reading what the outbox sent, in tests on the embedded default.

Outbox rows are delivered after their transaction commits; pytest-django's `db` fixture never
commits, so tests deliver the queued rows themselves before reading django.core.mail.outbox.
"""

from django.core import mail


def delivered_mail() -> list:
    from emails.services import outbox_deliver

    while outbox_deliver():
        pass
    return mail.outbox
