import pytest
from django.core import mail
from django.core.cache import caches

from campaigns.abuse import ip_hash, signing_verdict
from campaigns.models import Signature
from emails.models import OutboxEmail

from .conftest import counted

pytestmark = pytest.mark.django_db


def page_body(response):
    return response.content.decode().split("<main")[1].split("</main>")[0]


def test_the_honeypot_keeps_a_fraud_row_shows_the_usual_page_and_sends_nothing(sign, action):
    normal = page_body(sign(action, email="real@example.org"))
    response = sign(action, website="http://spam.example", ip="192.0.2.50")
    assert response.status_code == 200 and page_body(response) == normal
    bot = Signature.objects.get(email="ana@example.org")
    assert bot.status == Signature.Status.FRAUD and bot.status_reason == "honeypot"
    assert bot.emails_sent == 0
    assert [m.to for m in mail.outbox] == [["real@example.org"]]


def test_ips_are_kept_only_as_keyed_hashes(sign, action, settings):
    sign(action, ip="203.0.113.7")
    signature = Signature.objects.get()
    assert signature.ip_hash == ip_hash("203.0.113.7")
    assert "203.0.113.7" not in signature.ip_hash and len(signature.ip_hash) == 64
    settings.SIGNING_IP_HASH_SECRET = "another secret"
    assert ip_hash("203.0.113.7") != signature.ip_hash


def test_a_burst_from_one_ip_trips_the_limit_quietly(sign, action, settings):
    settings.SIGNING_BURST_LIMIT = 3
    pages = [page_body(sign(action, email=f"p{n}@example.org", ip="203.0.113.9")) for n in range(5)]
    statuses = list(Signature.objects.order_by("pk").values_list("status", "status_reason"))
    assert statuses[:3] == [(Signature.Status.PENDING, "")] * 3
    assert statuses[3:] == [(Signature.Status.FRAUD, "burst limit")] * 2
    assert len(set(pages)) == 1  # the fourth and fifth saw the same page as the first
    assert len(mail.outbox) == 3
    # Another address is not affected.
    sign(action, email="neighbour@example.org", ip="203.0.113.10")
    assert Signature.objects.get(email="neighbour@example.org").status == Signature.Status.PENDING


def test_the_sustained_limit_counts_over_its_longer_window(action, settings):
    settings.SIGNING_BURST_LIMIT = 100
    settings.SIGNING_SUSTAINED_LIMIT = 4
    verdicts = [signing_verdict(ip_address="203.0.113.1", email=f"x{n}@example.org") for n in range(6)]
    assert verdicts == ["", "", "", "", "sustained limit", "sustained limit"]


def test_shared_addresses_on_the_allow_list_skip_the_limits(action, settings):
    settings.SIGNING_BURST_LIMIT = 2
    settings.SIGNING_ALLOWED_NETWORKS = ["198.51.100.0/24", "2001:db8::1"]
    assert all(signing_verdict(ip_address="198.51.100.77", email="a@example.org") == "" for _ in range(5))
    assert all(signing_verdict(ip_address="2001:db8::1", email="a@example.org") == "" for _ in range(5))
    assert [signing_verdict(ip_address="198.51.101.1", email="a@example.org") for _ in range(3)][-1] == "burst limit"


def test_block_lists_of_ips_and_email_domains(sign, action, settings):
    settings.SIGNING_BLOCKED_NETWORKS = ["203.0.113.0/24"]
    settings.SIGNING_BLOCKED_EMAIL_DOMAINS = ["spam.example"]
    sign(action, email="a@example.org", ip="203.0.113.200")
    sign(action, email="b@spam.example", ip="192.0.2.1")
    sign(action, email="c@mail.spam.example", ip="192.0.2.2")
    reasons = dict(Signature.objects.values_list("email", "status_reason"))
    assert reasons == {
        "a@example.org": "blocked IP address",
        "b@spam.example": "blocked email domain",
        "c@mail.spam.example": "blocked email domain",
    }
    assert mail.outbox == []
    assert counted(action) == 0


def test_disposable_domains_are_blocked_by_default(action):
    assert signing_verdict(ip_address="192.0.2.1", email="x@mailinator.com") == "blocked email domain"


def test_a_genuine_signer_after_a_bot_used_their_address_gets_the_confirmation(sign, confirm, action):
    sign(action, website="filled by a bot", ip="192.0.2.60")
    assert Signature.objects.get().status == Signature.Status.FRAUD
    sign(action, ip="192.0.2.61")
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.PENDING and signature.status_reason == ""
    assert OutboxEmail.objects.get().key == f"confirm:{signature.pk}"
    confirm(mail.outbox[0])
    assert counted(action) == 1


def test_a_bot_posting_thousands_of_signatures_gets_fraud_rows_not_emails(client, action, settings, monkeypatch):
    monkeypatch.setattr("campaigns.abuse.time.time", lambda: 1_800_000_000.0)  # all within one window
    settings.SIGNING_BURST_LIMIT = 10
    settings.SIGNING_SUSTAINED_LIMIT = 100
    for number in range(300):
        client.post(
            f"/act/{action.slug}/",
            {"first_name": "Bot", "last_name": "Net", "email": f"bot{number}@example.net", "country": "CA"},
            REMOTE_ADDR="192.0.2.200",
        )
    assert Signature.objects.count() == 300
    assert Signature.objects.exclude(status=Signature.Status.FRAUD).count() == 10
    assert OutboxEmail.objects.count() == 10


def test_repeat_posts_from_a_tripped_ip_send_no_email_about_an_existing_signature(sign, confirm, action):
    from campaigns.models import NetworkRule
    from campaigns.signing_rules import forget_signing_rules

    sign(action)
    confirm(mail.outbox[0])
    NetworkRule.objects.create(kind=NetworkRule.Kind.BLOCK, network="192.0.2.0/24")
    forget_signing_rules()
    sign(action, ip="192.0.2.99")
    assert len(mail.outbox) == 1


def test_limits_fail_open_when_the_cache_is_down(monkeypatch, settings):
    # Any cache but Redis (whose own path is tested with Redis really down in
    # test_services_signing_limits), answering as django-redis does when it is unreachable.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "down"}}
    settings.SIGNING_BURST_LIMIT = 1
    backend = caches["default"]
    monkeypatch.setattr(backend, "add", lambda *args, **kwargs: False)
    monkeypatch.setattr(backend, "incr", lambda *args, **kwargs: None)
    assert [signing_verdict(ip_address="192.0.2.1", email="a@example.org") for _ in range(3)] == ["", "", ""]


def test_ipv6_addresses_in_one_64_count_as_one_network(action, settings):
    settings.SIGNING_BURST_LIMIT = 3
    one_network = [f"2001:db8:1:2::{n:x}" for n in range(1, 6)]
    verdicts = [signing_verdict(ip_address=address, email=f"v{n}@example.org") for n, address in enumerate(one_network)]
    assert verdicts == ["", "", "", "burst limit", "burst limit"]
    # The next /64 is another network; IPv4 addresses still count one by one.
    assert signing_verdict(ip_address="2001:db8:1:3::1", email="w@example.org") == ""
    ipv4 = [signing_verdict(ip_address=f"203.0.113.{n}", email="x@example.org") for n in range(1, 6)]
    assert ipv4 == [""] * 5
