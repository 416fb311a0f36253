"""Staff mailings: composed in the admin, sent once to an audience through the outbox.

Staff text is never run as template code: the only personalisation is a whitelist of placeholders
replaced with str.replace. A mailing reaches each recipient once however often "send" is pressed
and whatever happens to the workers: the status lives on the row (changed under select_for_update)
and every email has the outbox key `mailing:<id>:<member pk>`.
"""

import re
import secrets
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

import markdown as markdown_lib
import nh3
from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit
from core.locks import exclusive
from core.translated import LANGUAGE_CODES, Texts, links_of, supported_language

from . import registry
from .delivery import outbox_message
from .models import Category, Mailing, OutboxEmail, Suppression
from .policy import email_hash, suppressed_hashes
from .rendering import one_line, safe_mailbox
from .services import Recipient, email_bulk_enqueue, email_bulk_row, email_enqueue

PLACEHOLDERS = ("first_name", "action_link")
# Markdown never alters these (no underscores, no punctuation), so they survive rendering and are
# replaced afterwards with each recipient's values, escaped.
_SENTINELS = {name: f"RALLYPLACEHOLDER{index}X" for index, name in enumerate(PLACEHOLDERS)}
_PLACEHOLDER = re.compile(r"\{([^{}\n]{0,40})\}")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in the text that Rally cannot fill, e.g. ["{last_name}"]."""
    return sorted({f"{{{name}}}" for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def _with_sentinels(text: str) -> str:
    for name, sentinel in _SENTINELS.items():
        text = text.replace(f"{{{name}}}", sentinel)
    return text


def render_html(body: str) -> str:
    """Markdown → HTML with only harmless tags; script, style and event handlers are removed."""
    html = markdown_lib.markdown(_with_sentinels(body), extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )


def render_text(html: str) -> str:
    """The plain-text part: the sanitised HTML without tags, links kept as "text (url)"."""
    text = re.sub(r'<a href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", html, flags=re.S)
    text = re.sub(r"</(p|h2|h3|h4|li|blockquote|pre|tr)>", "\n\n", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"<li>", "- ", text)
    text = nh3.clean(text, tags=set())
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def personalise(template: str, *, first_name: str, action_link: str, html: bool) -> str:
    values = {"first_name": first_name, "action_link": action_link}
    for name, sentinel in _SENTINELS.items():
        value = values[name]
        template = template.replace(sentinel, escape(value) if html else value)
    return template


@dataclass(frozen=True)
class Content:
    subject: str
    html: str
    text: str


LANGUAGES = LANGUAGE_CODES


def is_written(mailing: Mailing, language: str) -> bool:
    """Whether the mailing has a subject and a body in `language`."""
    return all((getattr(mailing, f"{field}_{language}") or "").strip() for field in ("subject", "body"))


def sent_language(mailing: Mailing, language: str) -> str | None:
    """The language of the text a recipient reading `language` gets: theirs when written, else the
    English when staff chose to send it, else None (they cannot be sent the mailing)."""
    if is_written(mailing, language):
        return language
    english = settings.LANGUAGE_CODE
    if mailing.english_where_missing and is_written(mailing, english):
        return english
    return None


def _template(mailing: Mailing, language: str) -> tuple[str, str, str]:
    """(subject, html, text) in `language`, the placeholders still as sentinels."""
    html = render_html(getattr(mailing, f"body_{language}") or "")
    return _with_sentinels(getattr(mailing, f"subject_{language}") or ""), html, render_text(html)


def mailing_content(mailing: Mailing, *, first_name: str, action_link: str, language: str = "") -> Content:
    """The mailing as a recipient reading `language` gets it (the English where theirs is not
    written, as a preview shows what would be missing)."""
    language = supported_language(language)
    subject, html, text = _template(mailing, sent_language(mailing, language) or settings.LANGUAGE_CODE)
    return Content(
        subject=personalise(subject, first_name=first_name, action_link=action_link, html=False),
        html=personalise(html, first_name=first_name, action_link=action_link, html=True),
        text=personalise(text, first_name=first_name, action_link=action_link, html=False),
    )


def _default_action_links(mailing: Mailing) -> Texts:
    """{action_link} where the audience has none of its own, at each language's address."""
    action = mailing.actions.order_by("pk").first() if mailing.pk else None
    return links_of(action.get_absolute_url() if action else "/")


def _audience(mailing: Mailing) -> registry.Audience:
    return registry.audiences[mailing.audience]


def audience_choices(mailing: Mailing) -> registry.AudienceChoices:
    """What the saved mailing's audience was chosen by."""
    return registry.AudienceChoices(
        audience=mailing.audience,
        actions=tuple(mailing.actions.order_by("pk").values_list("pk", flat=True)) if mailing.pk else (),
        review=mailing.review_id,
        countries=tuple(mailing.countries or ()),
        regions=tuple(mailing.regions or ()),
        language=mailing.language,
        confirmed_only=mailing.confirmed_only,
        opted_in_only=mailing.opted_in_only,
    )


def mailing_category(mailing: Mailing) -> str:
    return _audience(mailing).category


def audience_members(choices: registry.AudienceChoices) -> QuerySet:
    """The members these choices reach (signatures, follows or users), one per address."""
    return registry.audiences[choices.audience].members(choices)


def mailing_audience(mailing: Mailing) -> QuerySet:
    """The members the mailing goes to (signatures, follows or users), one per address."""
    return audience_members(audience_choices(mailing))


def audience_size(mailing: Mailing) -> int:
    return mailing_audience(mailing).count()


def audience_counts(choices: registry.AudienceChoices) -> dict[str, int]:
    """How many members read each language (every language listed, zero included), counted in the
    database: the live count asks this at each choice staff make. No audience chosen: nobody."""
    counts = dict.fromkeys(LANGUAGES, 0)
    audience = registry.audiences.get(choices.audience)
    if audience is None:
        return counts
    language = F(audience.language) if isinstance(audience.language, str) else audience.language
    rows = audience.members(choices).order_by().values(member_language=language).annotate(n=Count("pk"))
    for row in rows:
        counts[supported_language(row["member_language"])] += row["n"]
    return counts


def audience_languages(mailing: Mailing) -> dict[str, int]:
    """How many of the mailing's audience read each language (every language listed)."""
    return audience_counts(audience_choices(mailing))


def languages_missing(mailing: Mailing) -> list[str]:
    """The languages with recipients that the mailing cannot be sent in (see sent_language)."""
    return [
        language
        for language, count in audience_languages(mailing).items()
        if count and sent_language(mailing, language) is None
    ]


def _refuse_if_missing(mailing: Mailing) -> None:
    missing = languages_missing(mailing)
    if missing:
        names = dict(settings.LANGUAGES)
        raise MailingError(
            _(
                "Some recipients read %(languages)s, and the mailing has no subject or body in it: write it, "
                "or tick “send the English where a language has no text”."
            )
            % {"languages": ", ".join(str(names[language]) for language in missing)}
        )


def campaign_update_subscribers(choices: registry.AudienceChoices) -> QuerySet:
    """Every active supporter who opted in to campaign updates (their preference is checked again
    when each email is written)."""
    return registry.narrowed(User.objects.filter(is_active=True, email_preferences__campaign_updates=True), choices)


def audience_sample(mailing: Mailing, *, size: int) -> list[str]:
    """A few recipients as campaign managers may see them: first name, place and language, never
    an address."""
    audience = _audience(mailing)
    sample = []
    for member in mailing_audience(mailing).order_by("pk")[:size]:
        first_name, _link = audience.name_and_link(member, "")
        to = audience.recipient(member)
        place = getattr(member, "region", "") or getattr(to.user, "region", "") or "—"
        sample.append(f"{first_name or _('A supporter')} · {place} · {to.language}")
    return sample


# Registered in EmailsConfig.ready beside the audiences campaigns and tracker register.
CAMPAIGN_UPDATE_SUBSCRIBERS = registry.Audience(
    members=campaign_update_subscribers,
    recipient=lambda user: Recipient(email=user.email, user=user, language=user.language),
    name_and_link=lambda user, default_link: (user.first_name, default_link),
    category=Category.CAMPAIGN_UPDATES,
    consent_checked=False,
)


def _from_email(mailing: Mailing) -> str:
    """The organisation's address under the name staff chose (on one line, quoted as needed)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if not mailing.from_name or not address:
        return ""
    return safe_mailbox(formataddr((one_line(mailing.from_name), address)), fallback="")


class MailingError(Exception):
    """Why a staff action on a mailing was refused; the message is for the staff member."""


def mailing_send_test(*, mailing: Mailing, to) -> OutboxEmail | None:
    """One copy to the staff member themself, in their language, with their own name in the placeholders."""
    content = mailing_content(
        mailing,
        first_name=to.first_name,
        action_link=_default_action_links(mailing)[supported_language(to.language)],
        language=to.language,
    )
    return email_enqueue(
        key=f"mailing-test:{mailing.pk}:{secrets.token_hex(8)}",
        to=to.email,
        category=Category.STAFF,
        subject=f"[{_('Test')}] {content.subject}",
        body_text=content.text,
        body_html=content.html,
        from_email=_from_email(mailing),
        user=to,
    )


def mailing_schedule(*, mailing_id: int, at, user=None) -> Mailing:
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if at is None or at <= timezone.now():
            raise MailingError(_("Choose a time in the future to schedule the mailing."))
        if mailing.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise MailingError(_("This mailing was already sent or cancelled."))
        _refuse_if_missing(mailing)
        mailing.status = Mailing.Status.SCHEDULED
        mailing.scheduled_at = at
        mailing.save(update_fields=["status", "scheduled_at"])
        audit(
            user=user,
            kind="mailing_schedule",
            rows=audience_size(mailing),
            detail=f"#{mailing.pk} {mailing.subject} at {timezone.localtime(at):%Y-%m-%d %H:%M}",
        )
    return mailing


def _handed_to_outbox(mailing_id: int) -> int:
    return OutboxEmail.objects.filter(key__startswith=f"mailing:{mailing_id}:").count()


def mailing_cancel(*, mailing_id: int, user=None) -> int:
    """Stops a scheduled mailing, or one that is sending: whatever is not yet in the outbox is
    never written (mailing_deliver asks before each batch). Logged. Returns the emails already
    handed to the outbox, which go out."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.status not in (Mailing.Status.SCHEDULED, Mailing.Status.SENDING):
            raise MailingError(_("Only a scheduled mailing, or one that is sending, can be cancelled."))
        handed = _handed_to_outbox(mailing.pk)
        mailing.status = Mailing.Status.CANCELLED
        mailing.recipients = handed
        mailing.save(update_fields=["status", "recipients"])
        audit(user=user, kind="mailing_cancel", rows=handed, detail=f"#{mailing.pk} {mailing.subject}")
    return handed


@shared_task(name="emails.tasks.send_mailing", acks_late=True, ignore_result=True)
def send_mailing(mailing_id: int) -> int:
    """Writes a sending mailing's outbox rows; a second run finds it sent (or locked) and adds nothing."""
    return mailing_deliver(mailing_id=mailing_id)


def mailing_send_now(*, mailing_id: int, user=None) -> Mailing:
    """Marks the mailing as sending and queues its delivery; pressing again does nothing more.
    Logged with the audience's size (user None: the schedule started it)."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.status not in (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED):
            raise MailingError(_("This mailing is already sending, sent or cancelled."))
        _refuse_if_missing(mailing)
        mailing.status = Mailing.Status.SENDING
        mailing.save(update_fields=["status"])
        audit(user=user, kind="mailing_send", rows=audience_size(mailing), detail=f"#{mailing.pk} {mailing.subject}")
        transaction.on_commit(lambda: send_mailing.delay(mailing.pk))
    return mailing


def _send_arguments(mailing: Mailing) -> dict:
    """What email_bulk_enqueue writes the mailing's outbox rows with: the send and the preview of
    one recipient's email (mailing_preview) both use it, so they cannot differ."""
    audience = _audience(mailing)
    choices = audience_choices(mailing)
    default_links = _default_action_links(mailing)
    # Rendered once per language, not per recipient.
    templates = {language: _template(mailing, language) for language in LANGUAGES if is_written(mailing, language)}
    # Sending was refused while a language with readers was missing (_refuse_if_missing); a
    # member who joined since gets a written language rather than nothing.
    fallback = templates.get(settings.LANGUAGE_CODE) or next(iter(templates.values()), None)

    def build(member):
        reader_language = supported_language(audience.recipient(member).language)
        language = sent_language(mailing, reader_language)
        if language not in templates and fallback is None:
            return None  # nothing written in any language: nothing to send
        subject, html, text = templates.get(language, fallback)
        first_name, link = audience.name_and_link(member, default_links[reader_language])
        return {
            "subject": personalise(subject, first_name=first_name, action_link=link, html=False),
            "html": personalise(html, first_name=first_name, action_link=link, html=True),
            "text": personalise(text, first_name=first_name, action_link=link, html=False),
        }

    return {
        "audience": audience.members(choices),
        "key_prefix": f"mailing:{mailing.pk}",
        "category": audience.category,
        "template": "",  # each recipient's content is finished here: sent as it is
        "build": build,
        "recipient": audience.recipient,
        # Signers who did not opt in are no proof of consent: their accounts' preferences are asked.
        "consent_checked": audience.consent_checked and choices.opted_in_only,
        "from_email": _from_email(mailing),
    }


@dataclass(frozen=True)
class RecipientPreview:
    """One member of the audience and the email the send would give them (None: it gives none,
    for want of an address or of a text in a language)."""

    member: Any
    label: str
    message: EmailMultiAlternatives | None
    suppressed: bool


def member_label(mailing: Mailing, member, *, with_email: bool) -> str:
    """ "Ana L. · QC · fr" (with the address only for staff who may see supporters' data)."""
    audience = _audience(mailing)
    first, last = (str(_lookup(member, field) or "") for field in audience.name_fields)
    name = " ".join(part for part in (first, f"{last[:1]}." if last else "") if part) or _("A supporter")
    place = _lookup(member, audience.region_field) or "—"
    language = supported_language(audience.recipient(member).language)
    label = f"{name} · {place} · {language}"
    return f"{label} · {audience.recipient(member).email}" if with_email else label


def _lookup(member, path: str):
    value = member
    for name in path.split("__"):
        value = getattr(value, name, None) if value is not None else None
    return value


def audience_search(mailing: Mailing, *, query: str, with_email: bool, limit: int = 20) -> list:
    """Members of the mailing's audience whose name has every word of `query` (their address too,
    for staff who may see supporters' data); the first members without a query."""
    audience = _audience(mailing)
    members = mailing_audience(mailing)
    for word in query.split()[:5]:
        matches = Q()
        for field in audience.name_fields:
            matches |= Q(**{f"{field}__icontains": word})
        if with_email:
            for field in audience.email_fields:
                matches |= Q(**{f"{field}__icontains": word})
        members = members.filter(matches)
    return list(members.order_by("pk")[:limit])


def mailing_preview(*, mailing: Mailing, member_id, with_email: bool) -> RecipientPreview | None:
    """The email one member of the audience gets, as the send writes it (_send_arguments, the
    outbox row email_bulk_row builds) and delivery renders it (outbox_message): no second
    template. None when `member_id` is not in the audience."""
    try:
        member = mailing_audience(mailing).filter(pk=member_id).first()
    except (TypeError, ValueError, ValidationError):
        member = None
    if member is None:
        return None
    arguments = _send_arguments(mailing)
    row = email_bulk_row(member, **arguments)
    message = outbox_message(row)[1] if row is not None else None
    suppressed = bool(row is not None and suppressed_hashes({email_hash(row.to_email)}, arguments["category"]))
    return RecipientPreview(
        member=member,
        label=member_label(mailing, member, with_email=with_email),
        message=message,
        suppressed=suppressed,
    )


def mailing_deliver(*, mailing_id: int) -> int:
    """Writes the outbox rows of a mailing that is sending; returns the rows written.

    Rows are written and committed a batch at a time, so the first recipients have the email
    while the rest of a large audience is still being written, and no transaction stays open for
    the whole audience. The keys make a repeat add nothing: a worker killed half-way leaves the
    mailing "sending", and the next sweep writes only what is missing, then marks it sent. One
    process at a time works on a mailing (the others return at once).
    """
    with exclusive("emails.mailing", mailing_id) as mine:
        mailing = Mailing.objects.filter(pk=mailing_id, status=Mailing.Status.SENDING).first() if mine else None
        if mailing is None:
            return 0
        written = email_bulk_enqueue(
            **_send_arguments(mailing),
            keep_going=lambda: Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).exists(),
        )
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.SENT,
            sent_at=timezone.now(),
            recipients=_handed_to_outbox(mailing.pk),
        )
        # Cancelled while writing: the count says how many went before it stopped.
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.CANCELLED).update(
            recipients=_handed_to_outbox(mailing.pk)
        )
    return written


def mailings_send_due(*, now=None) -> int:
    """Beat: starts scheduled mailings whose time has come, and resumes any left "sending"."""
    now = now or timezone.now()
    started = 0
    due = Mailing.objects.filter(status=Mailing.Status.SCHEDULED, scheduled_at__lte=now).values_list("pk", flat=True)
    for mailing_id in list(due):
        try:
            mailing_send_now(mailing_id=mailing_id)
            started += 1
        except MailingError:
            continue
    for mailing_id in Mailing.objects.filter(status=Mailing.Status.SENDING).values_list("pk", flat=True):
        started += 1 if mailing_deliver(mailing_id=mailing_id) else 0
    return started


def mailing_stats(mailing: Mailing) -> dict:
    rows = OutboxEmail.objects.filter(key__startswith=f"mailing:{mailing.pk}:")
    unsubscribes = 0
    if mailing.sent_at:
        unsubscribes = Suppression.objects.filter(
            category=mailing_category(mailing),
            reason=Suppression.Reason.UNSUBSCRIBED,
            created_at__gte=mailing.sent_at,
            email__in=Subquery(rows.values("to_email")),
        ).count()
    return {
        "recipients": rows.count(),
        "sent": rows.filter(status=OutboxEmail.Status.SENT).count(),
        "failed": rows.filter(status=OutboxEmail.Status.FAILED).count(),
        "unsubscribes": unsubscribes,
    }
