"""Writes for the tracker's content: reviews and their status, factor assessments, developments,
figures, statements and sources. Every claim keeps at least one source; history is only added to."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GROUP_TRACKER_EDITORS
from campaigns import invalidation
from core.forms import plain_line_breaks

from ..models import (
    Assessment,
    Correction,
    Development,
    EditorRole,
    Factor,
    FactorAssessment,
    Figure,
    Review,
    ReviewStatusChange,
    Source,
    Statement,
)
from .notifications import notification_batch_schedule


def _require_sources(sources: Iterable[Source]) -> list[Source]:
    sources = list(sources)
    if not sources:
        raise ValidationError({"sources": _("Cite at least one source: every claim on the tracker is sourced.")})
    return sources


def _factors_of(review: Review, factors: Iterable[Factor]) -> list[Factor]:
    factors = list(factors)
    if any(factor.review_id != review.pk for factor in factors):
        raise ValidationError({"factors": _("Choose factors of this review only.")})
    return factors


def _required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def source_create(*, publisher: str, title: str, url: str, published_on: date | None = None, note: str = "") -> Source:
    """Adds a source; its address must be a full http(s) URL."""
    source = Source(publisher=publisher, title=title, url=url, published_on=published_on, note=note)
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def review_create(
    *,
    slug: str,
    title: str,
    country_name: str,
    country_code: str,
    agreement: str,
    legal_basis: str,
    status_effective_on: date,
    status_reason: str,
    status: str = Review.Status.DESIGNATED,
    legal_basis_url: str = "",
    agreement_in_force_on: date | None = None,
    summary: str = "",
    user=None,
) -> Review:
    """Creates a draft review whose status history starts with its first status."""
    review = Review(
        slug=slug,
        title=title,
        country_name=country_name,
        country_code=country_code,
        agreement=agreement,
        agreement_in_force_on=agreement_in_force_on,
        legal_basis=legal_basis,
        legal_basis_url=legal_basis_url,
        summary=summary,
        status=status,
        status_changed_on=status_effective_on,
    )
    review.full_clean()
    review.save()
    review_status_history_start(review=review, reason=status_reason, effective_on=status_effective_on, user=user)
    return review


def review_status_history_start(
    *, review: Review, reason: str, effective_on: date, user=None, reason_fr: str = ""
) -> ReviewStatusChange:
    """Records a new review's first status, the start of its public status history."""
    return ReviewStatusChange.objects.create(
        review=review,
        from_status="",
        to_status=review.status,
        effective_on=effective_on,
        reason_en=_required_text(reason, "reason", _("Say why the review has this status.")),
        reason_fr=reason_fr.strip(),
        changed_by=user,
    )


@transaction.atomic
def review_status_change(
    *, review: Review, status: str, reason: str, effective_on: date | None = None, user=None, reason_fr: str = ""
) -> ReviewStatusChange:
    """Moves the review to a new status and records who, when, from what and why (`reason` in
    English, `reason_fr` in French when written)."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if status not in Review.Status.values:
        raise ValidationError({"status": _("Choose one of the statuses offered.")})
    if status == locked.status:
        raise ValidationError({"status": _("The review already has this status.")})
    reason = _required_text(reason, "reason", _("Say why the status changes."))
    effective_on = effective_on or timezone.localdate()
    change = ReviewStatusChange.objects.create(
        review=locked,
        from_status=locked.status,
        to_status=status,
        effective_on=effective_on,
        reason_en=reason,
        reason_fr=reason_fr.strip(),
        changed_by=user,
    )
    Review.objects.filter(pk=locked.pk).update(status=status, status_changed_on=effective_on, updated_at=timezone.now())
    review.status, review.status_changed_on = status, effective_on
    return change


def review_publish(*, review: Review, now: datetime | None = None) -> Review:
    """Makes a draft review public (publishing again changes nothing)."""
    if review.published_at is None:
        review.published_at = now or timezone.now()
        review.save(update_fields=["published_at", "updated_at"])
        invalidation.tracker_changed()
    return review


@transaction.atomic
def editor_role(user) -> str:
    """The role shown with an assessment: what the public may know of who judged, not who."""
    if user is None:
        return ""
    if user.is_superuser:
        return EditorRole.ADMINISTRATOR
    if user.groups.filter(name=GROUP_TRACKER_EDITORS).exists():
        return EditorRole.TRACKER_EDITOR
    return EditorRole.STAFF


def factor_assess(
    *,
    factor: Factor,
    assessment: str,
    summary: str,
    reason: str,
    user=None,
    at: datetime | None = None,
    summary_fr: str = "",
    reason_fr: str = "",
) -> FactorAssessment | None:
    """Sets a factor's assessment and reasoned summary, recording the change and why; no change, no
    record. `summary` and `reason` are the English, `summary_fr` and `reason_fr` the French."""
    if assessment not in Assessment.values:
        raise ValidationError({"assessment": _("Choose one of the assessments offered.")})
    locked = Factor.objects.select_for_update().get(pk=factor.pk)
    summaries = {
        "summary_en": plain_line_breaks(summary or "").strip(),
        "summary_fr": plain_line_breaks(summary_fr or "").strip(),
    }
    if locked.assessment == assessment and all(
        plain_line_breaks(getattr(locked, field) or "").strip() == value for field, value in summaries.items()
    ):
        return None
    reason = _required_text(reason, "reason", _("Say why the assessment changes."))
    at = at or timezone.now()
    role = editor_role(user)
    record = FactorAssessment.objects.create(
        factor=locked,
        from_assessment=locked.assessment,
        to_assessment=assessment,
        **summaries,
        reason_en=reason,
        reason_fr=(reason_fr or "").strip(),
        assessed_by=user,
        assessed_at=at,
    )
    Factor.objects.filter(pk=locked.pk).update(
        assessment=assessment, assessed_at=at, assessed_by_role=role, **summaries
    )
    factor.assessment, factor.assessed_at, factor.assessed_by_role = assessment, at, role
    factor.summary_en, factor.summary_fr = summaries["summary_en"], summaries["summary_fr"]
    return record


@transaction.atomic
def development_create(
    *,
    review: Review,
    kind: str,
    title: str,
    summary: str,
    occurred_on: date,
    sources: Iterable[Source],
    factors: Iterable[Factor] = (),
    slug: str = "",
    user=None,
) -> Development:
    """Creates a draft development citing at least one source."""
    sources = _require_sources(sources)
    factors = _factors_of(review, factors)
    development = Development(
        review=review, kind=kind, title=title, slug=slug, summary=summary, occurred_on=occurred_on, created_by=user
    )
    development.full_clean(exclude=["slug", "notification_batch"])
    development.save()
    development.sources.set(sources)
    development.factors.set(factors)
    return development


@transaction.atomic
def development_publish(*, development: Development, user=None, now: datetime | None = None) -> Development:
    """Publishes a sourced draft and puts it in its review's notification batch for this hour.

    Publishing twice changes nothing; followers hear of it once the hour window closes.
    """
    locked = Development.objects.select_for_update().select_related("review").get(pk=development.pk)
    if locked.is_published:
        return locked
    if not locked.sources.exists():
        raise ValidationError(_("“%(title)s” cites no source; add one before publishing.") % {"title": locked.title})
    now = now or timezone.now()
    batch = notification_batch_schedule(review=locked.review, at=now)
    locked.state = Development.State.PUBLISHED
    locked.published_at = now
    locked.notification_batch = batch
    locked.save(update_fields=["state", "published_at", "notification_batch", "updated_at"])
    development.state, development.published_at, development.notification_batch = locked.state, now, batch
    invalidation.tracker_changed()
    return locked


def development_correct(
    *, development: Development, text: str, user=None, at: datetime | None = None, text_fr: str = ""
) -> Correction:
    """Adds a dated correction to a published development (the original text stays as it was):
    `text` in English, `text_fr` in French when written."""
    if not development.is_published:
        raise ValidationError(_("Only published developments are corrected; edit the draft instead."))
    text = _required_text(text, "text", _("Write the correction."))
    return Correction.objects.create(
        development=development,
        text_en=text,
        text_fr=(text_fr or "").strip(),
        corrected_at=at or timezone.now(),
        created_by=user,
    )


@transaction.atomic
def figure_create(
    *,
    review: Review,
    label: str,
    value: Decimal | int | str,
    unit: str,
    period_start: date,
    period_end: date,
    jurisdiction: str,
    sources: Iterable[Source],
    qualifier: str = Figure.Qualifier.EXACT,
    series: str = "",
    note: str = "",
    is_key: bool = True,
    factors: Iterable[Factor] = (),
    position: int = 0,
) -> Figure:
    """Adds a statistic with a well-ordered period and at least one source."""
    sources = _require_sources(sources)
    factors = _factors_of(review, factors)
    figure = Figure(
        review=review,
        label=label,
        value=Decimal(str(value)),
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        jurisdiction=jurisdiction,
        qualifier=qualifier,
        series=series,
        note=note,
        is_key=is_key,
        position=position,
    )
    figure.full_clean()
    figure.save()
    figure.sources.set(sources)
    figure.factors.set(factors)
    return figure


@transaction.atomic
def statement_create(
    *,
    review: Review,
    speaker_name: str,
    said_on: date,
    quote: str,
    stance: str,
    sources: Iterable[Source],
    speaker_role: str = "",
    speaker_party: str = "",
    context: str = "",
    factors: Iterable[Factor] = (),
) -> Statement:
    """Adds a statement with its speaker and at least one source."""
    sources = _require_sources(sources)
    factors = _factors_of(review, factors)
    statement = Statement(
        review=review,
        speaker_name=speaker_name,
        speaker_role=speaker_role,
        speaker_party=speaker_party,
        said_on=said_on,
        quote=(quote or "").strip(),
        context=context,
        stance=stance,
    )
    statement.full_clean()
    statement.save()
    statement.sources.set(sources)
    statement.factors.set(factors)
    return statement
