"""Signatures in the admin for the Supporter data group: search, filters, invalidation (one, or a
whole email domain), the fraud review, the export and the audit log."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import AuditEntry, Letter, Signature
from campaigns.selectors import action_count
from campaigns.services import count_change, counts_fold
from campaigns.services.exports import safe_cell
from tests.accounts.factories import UserFactory

from .factories import ActionFactory, LetterActionFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def staff(*groups):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def data_staff(client):
    user = staff(GROUP_SUPPORTER_DATA)
    client.force_login(user)
    return user


def counted_signature(action, **fields):
    signature = SignatureFactory(action=action, **fields)
    count_change(signature=signature, delta=+1)
    return signature


def listed(response) -> str:
    return response.content.decode()


def test_search_by_name_or_email_and_filter_by_action_state_date_and_region(client, data_staff, action):
    other = ActionFactory(title="Another petition")
    SignatureFactory(action=action, first_name="Amira", last_name="Haddad", email="amira@example.org", region="QC")
    SignatureFactory(action=other, first_name="Liam", last_name="Roy", email="liam@example.net", region="ON")
    SignatureFactory(action=action, first_name="Wei", last_name="Chen", email="wei@example.com", status="fraud")
    base = "/admin/campaigns/signature/"
    assert "amira@example.org" in listed(client.get(base, {"q": "Haddad"}))
    assert "liam@example.net" not in listed(client.get(base, {"q": "Haddad"}))
    assert "liam@example.net" in listed(client.get(base, {"q": "liam@example"}))
    by_action = listed(client.get(base, {"action__id__exact": other.pk}))
    assert "liam@example.net" in by_action and "amira@example.org" not in by_action
    by_state = listed(client.get(base, {"status__exact": "fraud"}))
    assert "wei@example.com" in by_state and "amira@example.org" not in by_state
    by_region = listed(client.get(base, {"region": "QC"}))
    assert "amira@example.org" in by_region and "liam@example.net" not in by_region
    today = timezone.localdate()
    by_date = listed(
        client.get(
            base, {"created_at__year": today.year, "created_at__month": today.month, "created_at__day": today.day}
        )
    )
    assert "amira@example.org" in by_date
    old = listed(client.get(base, {"created_at__year": 2001}))
    assert "amira@example.org" not in old


def test_invalidating_one_signature_takes_it_out_of_the_count_and_is_logged(
    client, data_staff, action, django_capture_on_commit_callbacks
):
    keep = counted_signature(action, email="keep@example.org")
    drop = counted_signature(action, email="drop@example.org")
    counts_fold()
    assert action_count(action) == 2
    page = listed(client.post("/admin/campaigns/signature/", {"action": "invalidate", "_selected_action": [drop.pk]}))
    assert "This reaches exactly 1 person." in page and "drop@example.org" in page
    assert Signature.objects.filter(status=Signature.Status.INVALID).count() == 0  # nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/signature/",
            {"action": "invalidate", "_selected_action": [drop.pk], "confirmed": "on", "reason": "duplicate"},
        )
    drop.refresh_from_db()
    keep.refresh_from_db()
    assert drop.status == Signature.Status.INVALID and keep.status == Signature.Status.CONFIRMED
    assert action_count(action) == 1
    entry = AuditEntry.objects.get()
    assert entry.kind == AuditEntry.Kind.INVALIDATE and entry.rows == 1 and entry.user == data_staff


def test_invalidating_a_whole_email_domain_shows_how_many_then_counts_follow(
    client, data_staff, action, django_capture_on_commit_callbacks
):
    for number in range(3):
        counted_signature(action, email=f"bot{number}@spam.example")
    counted_signature(action, email="sub@mail.spam.example")
    counted_signature(action, email="person@example.org")
    counted_signature(action, email="x@notspam.example")
    SignatureFactory(action=action, email="pending@spam.example", status="pending")
    other = ActionFactory()
    counted_signature(other, email="bot9@spam.example")
    counts_fold()
    url = "/admin/campaigns/signature/invalidate-domain/"
    assert client.get(url).status_code == 200
    assert "without the @" in listed(client.post(url, {"domain": "not a domain"}))
    preview = listed(client.post(url, {"domain": "@Spam.Example", "action": action.pk}))
    assert "This reaches exactly 5 people." in preview and "bot0@spam.example" in preview
    assert Signature.objects.filter(status=Signature.Status.INVALID).count() == 0  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        unreasoned = client.post(url, {"domain": "spam.example", "action": action.pk, "confirmed": "on"})
        assert "This field is required" in listed(unreasoned)
        done = client.post(
            url, {"domain": "spam.example", "action": action.pk, "confirmed": "on", "reason": "fake"}, follow=True
        )
    assert "5 signatures from spam.example invalidated." in listed(done)
    assert action_count(action) == 2
    assert action_count(other) == 1  # another action's signatures were not touched
    entry = AuditEntry.objects.get()
    assert entry.kind == AuditEntry.Kind.INVALIDATE_DOMAIN and entry.rows == 5 and entry.action == action
    assert "@spam.example" in entry.detail


def test_the_fraud_review_lists_why_and_releases_or_invalidates(
    client, data_staff, action, django_capture_on_commit_callbacks
):
    from django.core import mail

    genuine = SignatureFactory(action=action, email="genuine@example.org", status="fraud", status_reason="burst limit")
    bot = SignatureFactory(action=action, email="bot@example.net", status="fraud", status_reason="honeypot")
    SignatureFactory(action=action, email="fine@example.org")
    page = listed(client.get("/admin/campaigns/suspectedfraud/"))
    assert "burst limit" in page and "honeypot" in page and "fine@example.org" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/campaigns/suspectedfraud/", {"action": "release", "_selected_action": [genuine.pk]})
        client.post(
            "/admin/campaigns/suspectedfraud/",
            {"action": "invalidate", "_selected_action": [bot.pk], "confirmed": "on", "reason": "fake"},
        )
    genuine.refresh_from_db()
    bot.refresh_from_db()
    assert genuine.status == Signature.Status.PENDING
    assert [m.to for m in mail.outbox] == [["genuine@example.org"]]  # its confirmation
    assert bot.status == Signature.Status.INVALID
    assert sorted(AuditEntry.objects.values_list("kind", flat=True)) == ["invalidate", "release"]


def test_the_hourly_review_shows_the_busiest_ip_hashes_and_domains(client, data_staff, action):
    now = timezone.now()
    within_last_hour = (now - timedelta(hours=1)).replace(minute=20)
    for number in range(6):
        SignatureFactory(
            action=action,
            email=f"b{number}@bots.example",
            ip_hash="a" * 64,
            status="fraud" if number > 2 else "confirmed",
            created_at=within_last_hour + timedelta(minutes=number),
        )
    SignatureFactory(action=action, email="one@example.org", ip_hash="b" * 64, created_at=now)
    SignatureFactory(action=action, email="old@bots.example", ip_hash="a" * 64, created_at=now - timedelta(days=5))
    page = listed(client.get(f"/admin/campaigns/action/{action.pk}/fraud-review/"))
    assert "aaaaaaaaaaaaa" in page and "bots.example" in page
    assert "× 6" in page  # six from one address within the hour
    assert "Invalidate this domain" in page


def test_a_campaign_manager_sees_no_signatures_fraud_review_export_or_audit_log(client, action):
    counted_signature(action, email="private@example.org")
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    for url in [
        "/admin/campaigns/signature/",
        "/admin/campaigns/suspectedfraud/",
        "/admin/campaigns/auditentry/",
        "/admin/campaigns/signature/invalidate-domain/",
        f"/admin/campaigns/action/{action.pk}/fraud-review/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/campaigns/action/{action.pk}/export/").status_code == 403
    change = listed(client.get(f"/admin/campaigns/action/{action.pk}/change/"))
    assert "Export the confirmed signatures" not in change and "Fraud review" not in change
    statistics = client.get(f"/admin/campaigns/action/{action.pk}/statistics/")
    assert statistics.status_code == 200 and "private@example.org" not in listed(statistics)


# The CSV export ---------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_export_streams_the_confirmed_signatures_and_is_logged(client, data_staff, action):
    first = SignatureFactory(action=action, first_name="Ana", email="ana@example.org")
    SignatureFactory(action=action, email="pending@example.org", status="pending")
    SignatureFactory(action=action, first_name='=HYPERLINK("http://x")', last_name="+1", email="-x@example.org")
    url = f"/admin/campaigns/action/{action.pk}/export/"
    for asked in (client.get(url), client.post(url)):  # a page first, saying how many and whose
        assert not asked.streaming and "This reaches exactly 2 people." in listed(asked)
        assert "ana@example.org" in listed(asked) and "pending@example.org" not in listed(asked)
    assert not AuditEntry.objects.exists()
    response = client.post(url, {"confirmed": "on"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{action.slug}-signatures-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:4] == ["id", "first_name", "last_name", "email"]
    assert [row[3] for row in rows[1:]] == ["ana@example.org", "'-x@example.org"]
    assert rows[1][0] == str(first.pk)
    assert rows[2][1] == '\'=HYPERLINK("http://x")' and rows[2][2] == "'+1"
    entry = AuditEntry.objects.get()
    assert (entry.kind, entry.user, entry.action, entry.rows, entry.detail) == (
        AuditEntry.Kind.EXPORT,
        data_staff,
        action,
        2,
        "complete",
    )


def test_a_letter_action_s_export_includes_the_letters(client, data_staff):
    action = LetterActionFactory()
    signature = SignatureFactory(action=action)
    Letter.objects.create(signature=signature, target=action.letter_target, message="@SUM(1+1)\nPlease act.")
    rows = read_csv(client.post(f"/admin/campaigns/action/{action.pk}/export/", {"confirmed": "on"}))
    assert rows[0][-1] == "letter" and rows[1][-1] == "'@SUM(1+1)\nPlease act."


def test_an_export_cut_short_is_logged_with_the_rows_sent(data_staff, action, monkeypatch):
    from campaigns.services import signatures_csv

    monkeypatch.setattr("campaigns.services.exports.ROWS_PER_PIECE", 2)
    for number in range(5):
        SignatureFactory(action=action, email=f"s{number}@example.org")
    pieces = signatures_csv(action=action, user=data_staff)
    next(pieces)  # the header
    next(pieces)  # two rows
    pieces.close()  # the client went away: the server closes the response, which closes this
    entry = AuditEntry.objects.get()
    assert entry.rows == 2 and entry.detail == "interrupted before the end"


def test_exporting_needs_the_supporter_data_group_and_its_permission(client, action):
    from django.contrib.auth.models import Permission

    url = f"/admin/campaigns/action/{action.pk}/export/"
    lone = staff()
    lone.user_permissions.add(
        Permission.objects.get(codename="export_signature"), Permission.objects.get(codename="view_action")
    )
    client.force_login(lone)
    assert client.post(url).status_code == 403  # the permission without the group opens nothing
    data = staff(GROUP_SUPPORTER_DATA)
    client.force_login(data)
    assert client.post(url).status_code == 200
    data.groups.get(name=GROUP_SUPPORTER_DATA).permissions.remove(Permission.objects.get(codename="export_signature"))
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    assert client.post(url).status_code == 403  # the group without the permission neither
    assert not AuditEntry.objects.filter(rows__gt=0).exists()


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Ana", "Ana"),
        ("", ""),
        (None, ""),
        (True, "yes"),
        (7, "7"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_defused(value, cell):
    assert safe_cell(value) == cell


def test_the_audit_log_is_only_for_the_supporter_data_group(client, action):
    AuditEntry.objects.create(kind=AuditEntry.Kind.EXPORT, action=action, rows=3, user_email="someone@example.org")
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert client.get("/admin/campaigns/auditentry/").status_code == 403
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    page = client.get("/admin/campaigns/auditentry/")
    assert page.status_code == 200 and "someone@example.org" in listed(page)
    entry = AuditEntry.objects.get()
    assert client.post(f"/admin/campaigns/auditentry/{entry.pk}/delete/").status_code == 403
