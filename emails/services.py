"""Writes for the outbox: enqueue (in the caller's transaction), bulk enqueue, unsubscribe, staff
retries and the retention of bodies. Delivery itself (claim, send, sweep) is in delivery.py."""

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_supported_language_variant, override
from django_redis.cache import RedisCache

from accounts.models import ConsentRecord, EmailPreferences, User
from accounts.services import consent_record, preferences_update

from .delivery import deliver_outbox, outbox_deliver, outbox_dispatch, outbox_sweep
from .models import OutboxEmail, Suppression
from .policy import consenting_user_ids, email_hash, suppress, suppressed_hashes
from .rendering import valid_address

__all__ = [
    "Recipient",
    "email_bulk_enqueue",
    "email_bulk_row",
    "email_enqueue",
    "email_row",
    "email_written",
    "outbox_write",
    "forget_dispatch_window",
    "email_unsubscribe",
    "outbox_deliver",
    "outbox_dispatch",
    "outbox_purge_bodies",
    "outbox_retry",
    "outbox_sweep",
]

logger = logging.getLogger(__name__)


def _language(language: str | None, user=None) -> str:
    try:
        return get_supported_language_variant(language or getattr(user, "language", "") or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


# Rows enqueued with `dispatch_soon` share drain tasks (claim whatever is due) instead of one task
# each: under a signing burst that is one publish per window, or per batch of rows, rather than
# one per email, and the worker sends a batch over one connection.
DISPATCH_SOON_KEY = "emails:dispatch-soon"
DISPATCH_SOON_WINDOW_SECONDS = 0.5


class _Window:
    """This process's rows in its current window (its first row opened it, it closes `window`
    later). Counted here rather than in the shared cache: a signing request saves a round trip."""

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self) -> None:
        self.opened = -math.inf
        self.rows = 0

    def count(self, window: float) -> int:
        with self.lock:
            now = time.monotonic()
            if now - self.opened >= window:
                self.opened, self.rows = now, 0
            self.rows += 1
            return self.rows


_window = _Window()


def forget_dispatch_window() -> None:
    """Starts this process's next row in a new window (tests start from nothing)."""
    _window.forget()


def _open_shared_window(window: float) -> bool:
    """False when another process opened a window under `window` ago: its drain, due after that
    window closed, comes after the commit of every row of this one too (which closes later)."""
    try:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            # One command to Redis, where django-redis's add takes the timeout in whole seconds.
            client = backend.client.get_client(write=True)
            return bool(client.set(backend.client.make_key(DISPATCH_SOON_KEY), 1, px=int(window * 1000), nx=True))
        return backend.add(DISPATCH_SOON_KEY, 1, timeout=window)
    except Exception:
        logger.warning("Could not reach the shared cache; asking for a drain anyway", exc_info=True)
        return True


def outbox_dispatch_soon() -> None:
    """Makes sure a drain task runs shortly after this call (made after the row's commit).

    The first row of this process's window, unless another process's window is already open, and
    every EMAIL_DELIVERY_BATCH_SIZE-th row after it, publishes a drain due twice the window later:
    after the window closed, so after the commit of every row that found it open, and none is
    left behind. Never raises; if the broker is down, the rows wait for the sweeper, as every row
    does then."""
    window = DISPATCH_SOON_WINDOW_SECONDS
    written = _window.count(window)
    if written == 1:
        if not _open_shared_window(window):
            return
    elif written % settings.EMAIL_DELIVERY_BATCH_SIZE != 1:
        return
    try:
        deliver_outbox.apply_async(kwargs={"ids": None}, countdown=2 * window, retry=False)
    except Exception:
        logger.warning("Could not ask a worker to send the outbox; the sweeper will", exc_info=True)


def _in_process() -> bool:
    """Tasks run in this process (no broker): each row is sent at its own commit, nothing to share."""
    return bool(current_app.conf.task_always_eager)


def _dispatch_on_commit(ids: list[int]) -> None:
    for start in range(0, len(ids), settings.EMAIL_DELIVERY_BATCH_SIZE):
        chunk = ids[start : start + settings.EMAIL_DELIVERY_BATCH_SIZE]
        transaction.on_commit(lambda chunk=chunk: outbox_dispatch(ids=chunk))


def email_enqueue(*, dispatch_soon: bool = False, fresh_key: bool = False, **fields) -> OutboxEmail | None:
    """Writes one outbox row (`fields` as email_row takes them) unless one with this key exists;
    delivery starts after commit.

    Returns the new row, or None when the key was already used (nothing is sent twice). Never
    raises for a bad address: the row is written as failed, with the reason, and nothing is sent
    (an address with a line break or a display name could otherwise smuggle in headers).
    `send_after` holds the row back until then (a rate limit); the sweeper sends it when due.
    `dispatch_soon` hands the row to a drain shared with the rows written about the same time
    (outbox_dispatch_soon), for emails written in bursts, rather than to a task of its own.
    `fresh_key` is the caller's word that no row can have this key yet (it names a row the
    caller's transaction just created): the row is then written without the savepoint that
    guards a repeated key, two round trips fewer on every signature.
    """
    email = email_row(**fields)
    return email if outbox_write([email], dispatch_soon=dispatch_soon, fresh_keys=fresh_key) else None


def outbox_write(rows: list[OutboxEmail], *, dispatch_soon: bool = False, fresh_keys: bool = False) -> list[int]:
    """The one way rows (built by email_row) enter the outbox, in the caller's transaction: a row
    whose key is already used adds nothing, so nothing is sent twice. Each row written is handed
    to delivery once the transaction commits. Returns the ids of the rows written.

    One row is inserted under a savepoint that a used key rolls back (none with `fresh_keys`, the
    caller's word that its keys name rows its own transaction just created); many rows in one
    bulk INSERT that skips used keys, then one SELECT of their ids. (campaigns' signature_create
    puts its row, built by email_row, in the statement that writes the signature, and calls
    email_written itself: on PostgreSQL a signature and its email are one statement.)
    """
    if len(rows) == 1:
        [email] = rows
        try:
            with transaction.atomic(savepoint=not fresh_keys):
                email.save(force_insert=True)
        except IntegrityError:
            return []
        email_written(email, dispatch_soon=dispatch_soon)
        return [email.pk]
    if not rows:
        return []
    OutboxEmail.objects.bulk_create(rows, ignore_conflicts=True)
    keys = [row.key for row in rows]
    ids = list(OutboxEmail.objects.filter(key__in=keys, status=OutboxEmail.Status.QUEUED).values_list("pk", flat=True))
    _dispatch_on_commit(ids)
    return ids


def email_row(
    *,
    key: str,
    to: str,
    category: str,
    template: str = "",
    context: dict | None = None,
    user=None,
    language: str | None = None,
    subject: str = "",
    body_text: str = "",
    body_html: str = "",
    from_email: str = "",
    reply_to: str = "",
    consent_checked: bool = False,
    send_after=None,
) -> OutboxEmail:
    """The outbox row email_enqueue writes, not saved yet: for a caller that inserts it in a
    statement of its own (campaigns' signature_create, under a viral load), then calls
    email_written with it."""
    address = valid_address(to)
    return OutboxEmail(
        key=key[:255],
        to_email=address.lower() if address else " ".join(to.split())[:254],
        category=category,
        template=template,
        context=context or {},
        user=user,
        language=_language(language, user),
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        from_email=from_email[:300],
        reply_to=valid_address(reply_to),
        consent_checked=consent_checked,
        status=OutboxEmail.Status.QUEUED if address else OutboxEmail.Status.FAILED,
        last_error="" if address else "invalid recipient address",
        next_attempt_at=send_after or timezone.now(),
    )


def email_written(email: OutboxEmail, *, dispatch_soon: bool = False) -> None:
    """Asks for the row's delivery once the caller's transaction commits (at once outside one)."""
    if email.status != OutboxEmail.Status.QUEUED:
        logger.warning("Outbox row %s not sent: invalid recipient address", email.key)
    elif dispatch_soon and not _in_process():
        transaction.on_commit(outbox_dispatch_soon)
    else:
        transaction.on_commit(lambda: outbox_dispatch(ids=[email.pk]))


@dataclass(frozen=True)
class Recipient:
    email: str
    user: object | None = None
    language: str = ""


def _user_recipient(user) -> Recipient:
    return Recipient(email=user.email, user=user, language=user.language)


def email_bulk_enqueue(
    *,
    audience: QuerySet,
    key_prefix: str,
    category: str,
    template: str,
    build: Callable[[object], dict | None],
    recipient: Callable[[object], Recipient] = _user_recipient,
    consent_checked: bool = False,
    batch_size: int = 1000,
    from_email: str = "",
    keep_going: Callable[[], bool] | None = None,
) -> int:
    """Writes one outbox row per member of the audience, `<key_prefix>:<member pk>`, in batches.

    Never holds the whole audience in memory (batches by primary key); a repeat run adds nothing
    (the keys exist); suppressed addresses and, for users, those without consent for the category
    are skipped. `build(member)` returns the JSON context, or None to skip that member. Pass
    `consent_checked=True` when the audience itself is the proof of consent (e.g. signers who
    ticked opt_in). With no template, `build` returns the finished content instead, as
    {"subject", "text", "html"}, which is sent as it is. `keep_going()` is asked before each
    batch: False stops there (a cancelled mailing). Returns the number of rows written.
    """
    written = 0
    for batch in _batches_by_pk(audience, batch_size):
        if keep_going is not None and not keep_going():
            break
        rows = []
        for member, to, address, key in _members_to_write(
            _addressable(batch, recipient), key_prefix=key_prefix, category=category, consent_checked=consent_checked
        ):
            context = build(member)
            if context is not None:
                rows.append(
                    _bulk_row(to, address, key, context, category, template, consent_checked, from_email=from_email)
                )
        written += len(outbox_write(rows))
    return written


def email_bulk_row(
    member,
    *,
    key_prefix: str,
    category: str,
    template: str,
    build: Callable[[object], dict | None],
    recipient: Callable[[object], Recipient] = _user_recipient,
    consent_checked: bool = False,
    from_email: str = "",
    **_unused,
) -> OutboxEmail | None:
    """The row email_bulk_enqueue would write for one member, not saved (None: it writes none, for
    want of an address or of content). A preview renders exactly this row. Takes the same
    arguments as email_bulk_enqueue."""
    to = recipient(member)
    address = valid_address(to.email)
    context = build(member) if address else None
    if context is None:
        return None
    key = f"{key_prefix}:{member.pk}"[:255]
    return _bulk_row(to, address.lower(), key, context, category, template, consent_checked, from_email=from_email)


def _batches_by_pk(queryset: QuerySet, size: int):
    """The queryset's rows in lists of `size`, by primary key: never all of them in memory."""
    ordered = queryset.order_by("pk")
    last_pk = None
    while True:
        batch = list((ordered.filter(pk__gt=last_pk) if last_pk is not None else ordered)[:size])
        if not batch:
            return
        last_pk = batch[-1].pk
        yield batch


def _addressable(batch: list, recipient: Callable[[object], Recipient]) -> list[tuple]:
    """(member, recipient, address) for each member with one valid address."""
    members = []
    for member in batch:
        to = recipient(member)
        address = valid_address(to.email)
        if address:
            members.append((member, to, address.lower()))
    return members


def _members_to_write(members: list[tuple], *, key_prefix: str, category: str, consent_checked: bool) -> list[tuple]:
    """(member, recipient, address, key) for each member not written yet (the key is unused), not
    suppressed for the category and, unless `consent_checked`, a user who consents to it."""
    keys = {member.pk: f"{key_prefix}:{member.pk}"[:255] for member, _to, _address in members}
    existing = set(OutboxEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    suppressed = suppressed_hashes({email_hash(address) for _m, _t, address in members}, category)
    consenting = (
        None
        if consent_checked
        else consenting_user_ids({to.user.pk for _m, to, _a in members if to.user is not None}, category)
    )
    wanted = []
    for member, to, address in members:
        if keys[member.pk] in existing or email_hash(address) in suppressed:
            continue
        if consenting is not None and to.user is not None and to.user.pk not in consenting:
            continue
        wanted.append((member, to, address, keys[member.pk]))
    return wanted


def _bulk_row(
    to: Recipient,
    address: str,
    key: str,
    context: dict,
    category: str,
    template: str,
    consent_checked: bool,
    *,
    from_email: str,
) -> OutboxEmail:
    """With a template, `context` is its JSON context; without, the finished content."""
    content = {} if template else context
    return email_row(
        key=key,
        to=address,
        category=category,
        template=template,
        context=context if template else {},
        subject=content.get("subject", ""),
        body_text=content.get("text", ""),
        body_html=content.get("html", ""),
        user=to.user,
        language=to.language,
        consent_checked=consent_checked,
        from_email=from_email,
    )


def _topic_for(category: str):
    return {
        "campaign_updates": ConsentRecord.Topic.CAMPAIGN_UPDATES,
        "tracker_updates": ConsentRecord.Topic.TRACKER_UPDATES,
        "digest": ConsentRecord.Topic.DIGEST,
    }.get(category)


@transaction.atomic
def email_unsubscribe(*, address: str, category: str, source: str) -> None:
    """Stops one category of bulk email to an address at once, and records the withdrawal.

    The address is suppressed for the category (which also covers consent given by ticking opt_in
    on an action, not in the preferences), its queued emails of that category are withheld, the
    account's preferences (if any) are turned off, and a consent record says so in every case.
    """
    address = address.strip().lower()
    suppress(address=address, reason=Suppression.Reason.UNSUBSCRIBED, category=category, detail=source)
    OutboxEmail.objects.filter(to_email=address, category=category, status=OutboxEmail.Status.QUEUED).update(
        status=OutboxEmail.Status.WITHHELD, last_error="unsubscribed"
    )
    topic = _topic_for(category)
    user = User.objects.filter(email__iexact=address).first()
    if user is not None:
        preferences, _created = EmailPreferences.objects.get_or_create(user=user)
        was_on = {
            "campaign_updates": preferences.campaign_updates,
            "tracker_updates": preferences.tracker_updates,
            "digest": preferences.digest_frequency != EmailPreferences.DigestFrequency.OFF,
        }[category]
        # Records the change of preference, if there is one.
        preferences_update(
            user=user,
            campaign_updates=preferences.campaign_updates and category != "campaign_updates",
            tracker_updates=preferences.tracker_updates and category != "tracker_updates",
            digest_frequency=EmailPreferences.DigestFrequency.OFF
            if category == "digest"
            else preferences.digest_frequency,
            source=source,
        )
        if not was_on:
            # The preference was already off (the email came from an opt_in on an action): the
            # withdrawal is still recorded, since the sender must be able to prove it was honoured.
            with override(user.language or None):
                consent_record(user=user, topic=topic, granted=False, source=source)
    elif topic is not None:
        consent_record(email=address, topic=topic, granted=False, source=source)


def outbox_retry(*, ids: list[int]) -> int:
    """Puts failed rows back in the queue as new (staff's retry); returns how many.

    Rows whose body was already deleted (retention) or whose address was erased stay failed.
    """
    with transaction.atomic():
        rows = OutboxEmail.objects.filter(
            pk__in=ids, status=OutboxEmail.Status.FAILED, body_deleted_at__isnull=True
        ).exclude(to_email="")
        retried = list(rows.values_list("pk", flat=True))
        OutboxEmail.objects.filter(pk__in=retried).update(
            status=OutboxEmail.Status.QUEUED,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            claim_token="",
        )
        _dispatch_on_commit(retried)
    return len(retried)


def outbox_purge_bodies(*, batch_size: int = 1000, max_batches: int = 100) -> int:
    """Deletes the bodies and template context of emails older than EMAIL_BODY_RETENTION_DAYS,
    in bounded batches; the metadata (key, recipient, category, state, times) stays. Returns rows
    purged; what is left over goes in the next run."""
    cutoff = timezone.now() - timedelta(days=settings.EMAIL_BODY_RETENTION_DAYS)
    old = OutboxEmail.objects.filter(
        created_at__lt=cutoff,
        body_deleted_at__isnull=True,
        status__in=[OutboxEmail.Status.SENT, OutboxEmail.Status.FAILED, OutboxEmail.Status.WITHHELD],
    )
    purged = 0
    for _batch in range(max_batches):
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        purged += OutboxEmail.objects.filter(pk__in=ids).update(
            body_text="", body_html="", context={}, body_deleted_at=timezone.now()
        )
    return purged
