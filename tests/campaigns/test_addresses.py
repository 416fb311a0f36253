import pytest

from campaigns.addresses import email_domain, erased_placeholder, normalise_email


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
@pytest.mark.django_db
def test_normalise_email(typed, normalised):
    assert normalise_email(typed) == normalised


@pytest.mark.django_db
def test_the_alias_insensitive_domains_start_from_the_setting(settings):
    settings.SIGNATURE_ALIAS_INSENSITIVE_DOMAINS = ["example.org"]
    assert normalise_email("a.na+x@example.org") == "ana@example.org"
    assert normalise_email("a.na+x@gmail.com") == "a.na+x@gmail.com"


@pytest.mark.django_db
def test_a_normalised_address_always_fits_its_column():
    long = "a" * 60 + "@" + "ß" * 190 + ".de"
    assert len(normalise_email(long)) <= 254
    assert normalise_email(long) == normalise_email(long.upper())


def test_helpers():
    assert email_domain("x@Mail.Example.org") == "mail.example.org"
    assert erased_placeholder() != erased_placeholder()
