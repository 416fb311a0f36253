"""The directory of representatives and the postal-code lookup (Open North's Represent API), and
addressing letters to each supporter's own MP. A letter to an MP goes through the MP's own Target,
so it takes the same outbox, hourly rate and daily bundle as a letter to a fixed decision-maker."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .. import represent
from ..models import HOUSE_OF_COMMONS, Action, Letter, PostalCodeLookup, Representative, Signature
from ..represent import RepresentUnavailable
from .directory import answer_copy, answer_keep, directory_changed, directory_version
from .letters import letter_send, representative_target, target_refresh
from .targets import target_address_change, target_address_propose

logger = logging.getLogger(__name__)

REPRESENT_DOWN_KEY = "campaigns:represent-down"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0


def _source_key(entry: dict) -> str:
    return f"{entry['district_name']}::{entry['name']}"


def _valid_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _representative_store(entry: dict, *, representative_set: str, source: str, now: datetime) -> tuple:
    """Creates or updates one entry, leaving the fields staff corrected; (representative, created, changed)."""
    entry = {**entry, "email": _valid_email(entry["email"])}
    key = _source_key(entry)
    representative = Representative.objects.filter(representative_set=representative_set, source_key=key).first()
    if representative is None:
        representative = Representative.objects.create(
            representative_set=representative_set, source_key=key, source=source, imported_at=now, **entry
        )
        directory_changed()
        return representative, True, True
    changed = []
    for name, value in entry.items():
        if name not in representative.locked_fields and getattr(representative, name) != value:
            setattr(representative, name, value)
            changed.append(name)
    if not representative.in_office:
        representative.in_office = True
        changed.append("in_office")
    representative.source, representative.imported_at = source, now
    representative.save(update_fields=[*changed, "source", "imported_at"])
    if changed:
        target_refresh(representative)
        directory_changed()
        if "email" in changed and representative.email:
            # The source gave the address it lacked: its held letters go (an import is not a
            # person's word, so no second person confirms it; see target_refresh).
            _release_held(representative)
    return representative, False, bool(changed)


def representatives_import(*, representative_set: str = HOUSE_OF_COMMONS, now: datetime | None = None) -> ImportResult:
    """Fills the directory from a Represent representative set, all pages read before anything is
    written (a failing service changes nothing). Entries no longer in the set are marked out of
    office, never deleted: letters point to them. Staff corrections (locked_fields) stay."""
    now = now or timezone.now()
    entries = []
    for item, page_url in represent.representatives(representative_set):
        entry = represent.directory_entry(item)
        if entry is not None:
            entries.append((entry, page_url))
    if not entries:
        # An empty answer is a fault of the service, not the end of every mandate.
        raise RepresentUnavailable(f"{representative_set}: no representatives")
    result = ImportResult()
    with transaction.atomic():
        seen = []
        for entry, page_url in entries:
            representative, created, changed = _representative_store(
                entry, representative_set=representative_set, source=page_url, now=now
            )
            seen.append(representative.pk)
            if created:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
        result.retired = (
            Representative.objects.filter(representative_set=representative_set, in_office=True)
            .exclude(pk__in=seen)
            .update(in_office=False)
        )
        if result.retired:
            directory_changed()
    return result


# Postal code to riding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RidingLookup:
    found: bool
    # The MPs of the ridings the code falls in, the centroid's first, each with its `target` read.
    representatives: list = field(default_factory=list)

    @property
    def representative(self) -> Representative | None:
        """The MP when the code falls in one riding only."""
        return self.representatives[0] if len(self.representatives) == 1 else None


@dataclass(frozen=True)
class _Answer:
    """What a process keeps of a code: the lookup, and since when the table has had it."""

    lookup: RidingLookup
    fetched_at: datetime


def compact_postal_code(postal_code: str) -> str:
    return "".join(postal_code.split()).upper()


def _ridings_from(data: dict) -> list[str]:
    ridings = []
    for key in ("representatives_centroid", "representatives_concordance"):
        for item in data.get(key) or []:
            if isinstance(item, dict) and represent.in_set(item, HOUSE_OF_COMMONS):
                name = str(item.get("district_name") or "").strip()
                if name and name not in ridings:
                    ridings.append(name)
    return ridings


def _store_lookup(code: str, data: dict | None, now: datetime) -> PostalCodeLookup:
    if data is not None:
        # The code's MPs come with the answer: the directory learns them before the weekly import.
        for key in ("representatives_centroid", "representatives_concordance"):
            for item in data.get(key) or []:
                if isinstance(item, dict) and represent.in_set(item, HOUSE_OF_COMMONS):
                    entry = represent.directory_entry(item)
                    if entry is not None:
                        _representative_store(
                            entry, representative_set=HOUSE_OF_COMMONS, source=f"postcodes/{code}", now=now
                        )
    province = str((data or {}).get("province") or "")[:2]
    lookup, _created = PostalCodeLookup.objects.update_or_create(
        code=code,
        defaults={
            "found": data is not None,
            "ridings": _ridings_from(data) if data else [],
            "city": str((data or {}).get("city") or "")[:200],
            "province": province,
            "fetched_at": now,
        },
    )
    return lookup


def _representatives_of(ridings: list[str]) -> list[Representative]:
    """The MPs of these ridings, with the decision-maker each one's letters go through (one query)."""
    if not ridings:
        return []
    found = Representative.objects.mps().filter(district_name__in=ridings).select_related("target")
    by_riding = {rep.district_name: rep for rep in found}
    return [by_riding[riding] for riding in ridings if riding in by_riding]


def _looked_up(code: str, now: datetime) -> PostalCodeLookup:
    """The code's row in the lookup table, asked of Represent when not fresh there."""
    fresh_since = now - timedelta(days=settings.POSTAL_CODE_LOOKUP_DAYS)
    lookup = PostalCodeLookup.objects.filter(code=code, fetched_at__gte=fresh_since).first()
    if lookup is not None:
        return lookup
    # After a failure, every process answers "unavailable" at once for a little while rather
    # than each supporter waiting out the timeouts and retries again.
    if cache.get(REPRESENT_DOWN_KEY):
        raise RepresentUnavailable("failed moments ago")
    try:
        data = represent.postcode(code)
    except RepresentUnavailable:
        cache.set(REPRESENT_DOWN_KEY, True, timeout=settings.REPRESENT_DOWN_SECONDS)
        raise
    with transaction.atomic():
        return _store_lookup(code, data, now)


def postal_code_lookup(*, postal_code: str, now: datetime | None = None) -> RidingLookup:
    """The MPs of a postal code's ridings: from the lookup table when asked in the last
    POSTAL_CODE_LOOKUP_DAYS, else from Represent (then stored). RepresentUnavailable when the
    service cannot answer.

    A process keeps the answers it gave while the directory is unchanged (services.directory):
    a viral action's supporters share a few codes, and each post then costs no query for them."""
    now = now or timezone.now()
    code = compact_postal_code(postal_code)
    version = directory_version()
    kept = answer_copy(code, version)
    if kept is not None and kept.fetched_at >= now - timedelta(days=settings.POSTAL_CODE_LOOKUP_DAYS):
        return kept.lookup
    row = _looked_up(code, now)
    lookup = RidingLookup(found=row.found and bool(row.ridings), representatives=_representatives_of(row.ridings))
    answer_keep(code, version, _Answer(lookup=lookup, fetched_at=row.fetched_at))
    return lookup


# Addressing letters to MPs ---------------------------------------------------------------------------


def _addressing(action: Action, representative: Representative | None) -> dict:
    """Whom a new letter goes to: the action's decision-maker, or the supporter's MP (held while
    the MP is not known, or has no email address)."""
    if not action.to_supporters_mp:
        return {"target_id": action.letter_target_id, "representative": None, "riding": "", "hold": Letter.Hold.NONE}
    if representative is None:
        return {"target_id": None, "representative": None, "riding": "", "hold": Letter.Hold.LOOKUP}
    target = representative_target(representative=representative)
    if target is None:
        # The MP may be a process's copy (services.directory) made before an import gave the
        # address: the row decides whether the letter is held.
        representative = Representative.objects.select_related("target").get(pk=representative.pk)
        target = representative_target(representative=representative)
    return {
        "target_id": target.pk if target else None,
        "representative": representative,
        "riding": representative.district_name,
        "hold": Letter.Hold.NONE if target else Letter.Hold.NO_EMAIL,
    }


def letter_attach(*, signature: Signature, message: str, representative: Representative | None = None) -> Letter | None:
    """Keeps the letter text of a letter action's signature, addressed to the action's decision-maker
    or to the supporter's MP (`representative`, None while the lookup service is down); a letter
    already handed to the outbox keeps the text and address it was sent with."""
    action = signature.action
    if action.kind != Action.Kind.LETTER:
        return None
    letter = Letter.objects.filter(signature=signature).first()
    addressing = _addressing(action, representative)
    if addressing["hold"] == Letter.Hold.LOOKUP:
        transaction.on_commit(_address_later)
    if letter is None:
        return Letter.objects.create(signature=signature, message=message, **addressing)
    if letter.queued_at is None:
        letter.message = message
        for name, value in addressing.items():
            setattr(letter, name, value)
        letter.save(update_fields=["message", "target", "representative", "riding", "hold"])
    return letter


# How long a letter waiting for the lookup service waits before the first try to address it.
ADDRESS_LATER_SECONDS = 60


def _address_later() -> None:
    """Asks a worker to address the letters waiting for the lookup, once per minute at most (the
    task retries while the service is down; beat runs it every few minutes besides)."""
    if not cache.add("campaigns:address-waiting-letters", 1, timeout=ADDRESS_LATER_SECONDS):
        return
    try:
        address_waiting_letters.apply_async(countdown=ADDRESS_LATER_SECONDS, retry=False)
    except Exception:
        logger.warning("Could not queue addressing the waiting letters; the periodic run will", exc_info=True)


def letter_address(*, letter: Letter, representative: Representative) -> bool:
    """Addresses a waiting letter to the supporter's MP, and hands it to the outbox if its signature
    already counts; without the MP's email the letter stays held (NO_EMAIL) for staff. True when addressed."""
    with transaction.atomic():
        letter = Letter.objects.select_for_update(of=("self",)).select_related("signature").get(pk=letter.pk)
        if letter.queued_at is not None:
            return False
        target = representative_target(representative=representative)
        letter.representative = representative
        letter.riding = representative.district_name
        letter.target = target
        letter.hold = Letter.Hold.NONE if target else Letter.Hold.NO_EMAIL
        letter.save(update_fields=["representative", "riding", "target", "hold"])
        if target is not None and letter.signature.status == Signature.Status.CONFIRMED:
            letter_send(signature=letter.signature)
    return target is not None


def _release_held(representative: Representative) -> int:
    """The letters held for want of the MP's email address are addressed to it (and wait there
    while the address awaits a second person's confirmation)."""
    held = Letter.objects.filter(representative=representative, hold=Letter.Hold.NO_EMAIL).order_by("pk")
    return sum(letter_address(letter=letter, representative=representative) for letter in held[:1000])


@transaction.atomic
def representative_correct(*, representative: Representative, fields: list[str], user) -> int:
    """Staff corrected these directory fields: later imports keep them, and the MP's decision-maker
    entry follows. A new email address is a decision-maker's address like any other: one person
    gives it, another confirms it (services.targets) before any letter goes, the letters held
    for want of it included. Returns the held letters now addressed (waiting for that confirmation)."""
    corrected = set(fields) & set(Representative.DIRECTORY_FIELDS)
    representative.locked_fields = sorted(set(representative.locked_fields) | corrected)
    if not representative.source_key:
        representative.source_key = f"{representative.district_name}::{representative.name}"
    representative.save()
    target_refresh(representative, email=False)
    directory_changed()
    if "email" not in corrected or not representative.email:
        return 0
    if representative.target_id:
        target_address_change(target=representative.target, new_email=representative.email, user=user)
    else:
        target_address_propose(target=representative_target(representative=representative), user=user)
    return _release_held(representative)


def letters_address_waiting(*, batch_size: int = 200) -> int:
    """Letters queued while the lookup service was down: looks their postal codes up and addresses
    them (a code in several ridings goes to the MP of the riding holding its centroid, the best
    guess once the supporter has left). RepresentUnavailable when the service is still down."""
    addressed = 0
    waiting = list(
        Letter.objects.filter(hold=Letter.Hold.LOOKUP).select_related("signature").order_by("pk")[:batch_size]
    )
    for letter in waiting:
        result = postal_code_lookup(postal_code=letter.signature.postal_code)
        if result.representatives:
            addressed += letter_address(letter=letter, representative=result.representatives[0])
        else:
            # The service does not know the code: staff choose the riding in the admin.
            Letter.objects.filter(pk=letter.pk, hold=Letter.Hold.LOOKUP).update(hold=Letter.Hold.NO_RIDING)
    return addressed


# Beside what queues it (_address_later) and what it runs; campaigns.tasks names it for discovery,
# and beat's schedule by this name.
@shared_task(
    name="campaigns.tasks.address_waiting_letters",
    ignore_result=True,
    autoretry_for=(RepresentUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=12,
)
def address_waiting_letters() -> int:
    """Letters saved while the lookup service was down; retried with backoff while it still is
    (and beat runs it every few minutes besides, so none waits for ever)."""
    return letters_address_waiting()
