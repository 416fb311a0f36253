import pytest

from campaigns.abuse import signing_address
from campaigns.addresses import email_domain, erased_placeholder, normalise_email

GMAIL = frozenset({"gmail.com", "googlemail.com"})


@pytest.mark.parametrize(
    "typed, normalised",
    [
        ("  Ana@Example.ORG ", "ana@example.org"),
        ("a.n.a+petition@gmail.com", "ana@gmail.com"),
        ("A.NA@GoogleMail.com", "ana@gmail.com"),
        ("a.n.a+x@example.org", "a.n.a+x@example.org"),  # other providers keep dots and tags
        ("ana@gmail.com.", "ana@gmail.com"),
    ],
)
def test_normalise_email(typed, normalised):
    assert normalise_email(typed, alias_insensitive_domains=GMAIL) == normalised


def test_normalise_email_is_pure_and_reads_no_rules():
    # Without the django_db mark any database access fails the test: nothing stored is read.
    assert normalise_email("a.n.a+x@gmail.com", alias_insensitive_domains=()) == "a.n.a+x@gmail.com"
    assert normalise_email("a.n.a+x@gmail.com", alias_insensitive_domains=GMAIL) == "ana@gmail.com"


@pytest.mark.parametrize(
    "typed, normalised",
    [("a.n.a+petition@gmail.com", "ana@gmail.com"), ("a.n.a+x@example.org", "a.n.a+x@example.org")],
)
@pytest.mark.django_db
def test_the_signing_address_applies_the_admins_domains(typed, normalised):
    assert signing_address(typed) == normalised


@pytest.mark.django_db
def test_the_alias_insensitive_domains_start_from_the_setting(settings):
    settings.SIGNATURE_ALIAS_INSENSITIVE_DOMAINS = ["example.org"]
    assert signing_address("a.na+x@example.org") == "ana@example.org"
    assert signing_address("a.na+x@gmail.com") == "a.na+x@gmail.com"


def test_a_normalised_address_always_fits_its_column():
    long = "a" * 60 + "@" + "ß" * 190 + ".de"
    assert len(normalise_email(long, alias_insensitive_domains=GMAIL)) <= 254
    assert normalise_email(long, alias_insensitive_domains=GMAIL) == normalise_email(
        long.upper(), alias_insensitive_domains=GMAIL
    )


def test_helpers():
    assert email_domain("x@Mail.Example.org") == "mail.example.org"
    assert erased_placeholder() != erased_placeholder()
