"""The signing limits and lists, edited in the admin while the site runs."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import GROUP_CAMPAIGN_MANAGERS
from campaigns.abuse import signing_address, signing_rules, signing_verdict
from campaigns.models import AuditEntry, EmailDomainRule, NetworkRule, SigningLimits
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True)
    user.groups.set(Group.objects.filter(name=GROUP_CAMPAIGN_MANAGERS))
    client.force_login(user)
    return user


def test_the_first_values_come_from_the_settings(settings):
    settings.SIGNING_BURST_LIMIT = 7
    settings.SIGNING_BLOCKED_NETWORKS = ["203.0.113.5", "not a network"]
    settings.SIGNING_BLOCKED_EMAIL_DOMAINS = ["Spam.Example", "@junk.example"]
    settings.SIGNATURE_ALIAS_INSENSITIVE_DOMAINS = ["gmail.com"]
    rules = signing_rules()
    assert rules.limits[0].count == 7
    assert [str(n) for n in rules.blocked_networks] == ["203.0.113.5/32"]
    assert rules.blocked_email_domains == {"spam.example", "junk.example"}
    assert rules.alias_insensitive_domains == {"gmail.com"}
    assert SigningLimits.objects.get().burst_limit == 7
    # From now on the admin decides: the settings no longer apply.
    settings.SIGNING_BURST_LIMIT = 1
    SigningLimits.objects.all().delete()
    assert signing_rules().limits[0].count == 7  # still the cached rules


def test_the_rules_are_read_once_and_shared_through_the_cache(django_assert_num_queries):
    signing_rules()
    with django_assert_num_queries(0):
        signing_rules()
        signing_address("A.N.A@gmail.com")


def test_changing_a_limit_in_the_admin_applies_at_once(client, manager, django_capture_on_commit_callbacks):
    limits_url = client.get("/admin/campaigns/signinglimits/")["Location"]
    assert limits_url == f"/admin/campaigns/signinglimits/{SigningLimits.objects.get().pk}/change/"
    assert signing_rules().limits[0].count == 10
    page = client.get(limits_url)
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            limits_url,
            {
                "burst_limit": "2",
                "burst_window_seconds": "60",
                "sustained_limit": "100",
                "sustained_window_seconds": "86400",
            },
        )
    assert response.status_code == 302
    assert signing_rules().limits[0].count == 2
    verdicts = [signing_verdict(ip_address="192.0.2.80", email=f"v{n}@example.org") for n in range(3)]
    assert verdicts == ["", "", "burst limit"]
    assert AuditEntry.objects.get().kind == AuditEntry.Kind.RULES


def test_a_window_of_zero_seconds_is_refused(client, manager):
    signing_rules()
    url = f"/admin/campaigns/signinglimits/{SigningLimits.objects.get().pk}/change/"
    response = client.post(
        url,
        {"burst_limit": "2", "burst_window_seconds": "0", "sustained_limit": "1", "sustained_window_seconds": "60"},
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert SigningLimits.objects.get().burst_window_seconds == 60


def test_blocking_a_domain_and_a_network_in_the_admin(client, manager, django_capture_on_commit_callbacks):
    assert signing_verdict(ip_address="198.51.100.9", email="x@bots.example") == ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/emaildomainrule/add/", {"kind": "block", "domain": " @Bots.Example. ", "note": ""}
        )
        client.post(
            "/admin/campaigns/networkrule/add/", {"kind": "block", "network": "198.51.100.0/24", "note": "a bot"}
        )
    assert EmailDomainRule.objects.filter(kind="block", domain="bots.example").exists()
    assert signing_verdict(ip_address="192.0.2.1", email="x@mail.bots.example") == "blocked email domain"
    assert signing_verdict(ip_address="198.51.100.200", email="x@example.org") == "blocked IP address"
    rule = NetworkRule.objects.get(network="198.51.100.0/24")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/campaigns/networkrule/{rule.pk}/delete/", {"post": "yes"})
    assert signing_verdict(ip_address="198.51.100.200", email="y@example.org") == ""


def test_allowing_a_shared_network_exempts_it_from_the_limits(client, manager, django_capture_on_commit_callbacks):
    SigningLimits.objects.create(
        pk=1, burst_limit=1, burst_window_seconds=60, sustained_limit=0, sustained_window_seconds=60
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/campaigns/networkrule/add/", {"kind": "allow", "network": "2001:db8::/32", "note": "campus"}
        )
    assert all(signing_verdict(ip_address="2001:db8::5", email="a@example.org") == "" for _ in range(4))


def test_bad_networks_and_domains_get_a_message(client, manager):
    response = client.post("/admin/campaigns/networkrule/add/", {"kind": "block", "network": "300.1.2.3", "note": ""})
    assert "Enter an IP address or a network" in response.content.decode()
    response = client.post(
        "/admin/campaigns/emaildomainrule/add/", {"kind": "block", "domain": "not a domain", "note": ""}
    )
    assert "Enter a domain such as example.org" in response.content.decode()
    assert not NetworkRule.objects.exists() and not EmailDomainRule.objects.filter(domain="not a domain").exists()


def test_the_alias_insensitive_domains_are_editable(client, manager, django_capture_on_commit_callbacks):
    assert signing_address("a.n.a+x@example.net") == "a.n.a+x@example.net"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/campaigns/emaildomainrule/add/", {"kind": "alias", "domain": "example.net", "note": ""})
    assert signing_address("a.n.a+x@example.net") == "ana@example.net"
