import io

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_SUPPORTER_EMAIL
from campaigns import demo, represent
from campaigns.demo_mps import DEMO_LETTERS, DEMO_MPS, MP_LETTER_SLUG
from campaigns.models import (
    Action,
    ActionCount,
    CountDelta,
    CountHistory,
    Letter,
    PostalCodeLookup,
    Representative,
    Signature,
)
from campaigns.services import counts_reconcile

pytestmark = pytest.mark.django_db


def test_seed_creates_a_live_campaign_with_counted_signatures_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    pledge = Action.objects.get(slug=demo.PLEDGE_SLUG)
    petition = Action.objects.get(slug=demo.PETITION_SLUG)
    assert pledge.title == "Refugee? Migrant? Human Being." and pledge.kind == "pledge"
    assert petition.target == "The Government of Canada" and petition.is_open()
    assert Signature.objects.filter(action=petition).count() == 341  # 340 demo signers + the demo supporter
    assert Signature.objects.filter(action=pledge).count() == 185
    assert not CountDelta.objects.exists()
    assert ActionCount.objects.get(action=petition).count == 341
    assert CountHistory.objects.filter(action=petition).count() >= 14 * 24
    assert counts_reconcile() == []
    domains = {email.rsplit("@", 1)[1] for email in Signature.objects.values_list("email", flat=True)}
    assert domains == {"example.org", "example.com"}
    regions = set(Signature.objects.filter(action=petition).values_list("region", flat=True))
    assert {"ON", "QC", "BC", "NU"} <= regions
    assert Signature.objects.get(email=DEMO_SUPPORTER_EMAIL).status == Signature.Status.CONFIRMED


def test_seed_without_users_still_loads_the_campaign():
    out = io.StringIO()
    demo.seed(create_users=False, stdout=out)
    assert "Demo campaign ready" in out.getvalue()
    assert Signature.objects.exclude(action__slug=MP_LETTER_SLUG).count() == 525
    assert Signature.objects.filter(action__slug=MP_LETTER_SLUG).count() == sum(DEMO_LETTERS.values())


def test_demo_pages_render(client):
    demo.seed(create_users=False, stdout=io.StringIO())
    for url in ["/", f"/act/{demo.PETITION_SLUG}/", f"/act/{demo.PETITION_SLUG}/signatures/"]:
        assert client.get(url).status_code == 200
    home = client.get("/").content.decode()
    assert '<strong class="count">340</strong>' in home and '<strong class="count">185</strong>' in home


def test_seed_adds_a_letter_to_the_minister_at_a_reserved_address(client):
    demo.seed(create_users=False, stdout=io.StringIO())
    demo.seed(create_users=False, stdout=io.StringIO())
    letter = Action.objects.get(slug=demo.LETTER_SLUG)
    assert letter.kind == "letter" and letter.is_open()
    assert letter.letter_target.email == "minister@example.org"
    assert "Minister of Immigration, Refugees and Citizenship" in letter.letter_target.name
    assert letter.letter_template.startswith("Dear Minister,")
    petition = Action.objects.get(slug=demo.PETITION_SLUG)
    assert list(petition.thresholds.values_list("count", flat=True)) == [500, 1000]
    page = client.get(f"/act/{demo.PETITION_SLUG}/").content.decode()
    assert "160 more to reach <strong>The House of Commons threshold</strong> (500)." in page
    assert 'name="message"' in client.get(f"/act/{demo.LETTER_SLUG}/").content.decode()


def test_the_demo_writes_to_mps_offline_and_again_without_doubling(client, monkeypatch):
    def no_network(url):
        raise AssertionError(f"seed_demo asked {url}")

    monkeypatch.setattr(represent, "_get", no_network)
    demo.seed(create_users=False, stdout=io.StringIO())
    demo.seed(create_users=False, stdout=io.StringIO())
    action = Action.objects.get(slug=MP_LETTER_SLUG)
    assert action.to_supporters_mp and action.is_open()
    assert Representative.objects.count() == len(DEMO_MPS)
    assert Letter.objects.filter(signature__action=action).count() == sum(DEMO_LETTERS.values())
    assert Letter.objects.get(riding="Nunavut").hold == Letter.Hold.NO_EMAIL  # staff see a held letter
    assert PostalCodeLookup.objects.filter(code="H2X1Y4").get().ridings == ["Laurier—Sainte-Marie", "Outremont"]
    # The demo's postal codes work on the form with no network at all.
    lookup = client.get(f"/act/{MP_LETTER_SLUG}/mp/", {"postal_code": "K1A 0B1"}).json()
    assert lookup["message"] == "Your MP: Avery Tremblay (Ottawa Centre, Liberal)"
