"""Staff and the letters to MPs: corrections in the admin that survive the import, held letters,
letters per riding and per party, the tile map, the CSV per MP, and by_riding in the API."""

import csv
import io

import pytest

from accounts.models import GROUP_CAMPAIGN_MANAGERS, GROUP_SUPPORTER_DATA
from campaigns.models import Letter, Representative
from campaigns.services import pending_address_change, representatives_import, target_address_confirm
from campaigns.staff_selectors import mp_letters, province_map
from emails.models import OutboxEmail

from .factories import MpLetterActionFactory, RepresentativeFactory, SignatureFactory
from .test_admin import _no_mfa, staff  # noqa: F401 - the admin tests' staff users, without MFA

pytestmark = pytest.mark.django_db


def letter(action, representative, *, status="confirmed", hold="", email=None):
    signature = SignatureFactory(action=action, status=status, **({"email": email} if email else {}))
    target = None
    if not hold:
        from campaigns.services.letters import representative_target

        target = representative_target(representative=representative)
    return Letter.objects.create(
        signature=signature,
        representative=representative if hold != Letter.Hold.LOOKUP else None,
        riding=representative.district_name if hold != Letter.Hold.LOOKUP else "",
        target=target,
        hold=hold,
        message="Hello",
    )


@pytest.fixture
def letters(db):
    action = MpLetterActionFactory(slug="write-to-your-mp")
    ottawa = RepresentativeFactory(name="Avery Tremblay", district_name="Ottawa Centre", party_name="Liberal")
    outremont = RepresentativeFactory(name="Morgan Lavoie", district_name="Outremont", party_name="NDP", province="QC")
    nunavut = RepresentativeFactory(
        name="Sam Qaqqaq", district_name="Nunavut", party_name="Conservative", province="NU", email=""
    )
    for _n in range(3):
        letter(action, ottawa)
    letter(action, outremont)
    letter(action, outremont, status="pending")  # not counted
    letter(action, nunavut, hold=Letter.Hold.NO_EMAIL)
    letter(action, ottawa, hold=Letter.Hold.LOOKUP)
    return action


def test_letters_per_riding_party_and_province(letters):
    totals = mp_letters(letters)
    assert totals["total"] == 6
    assert [(row["riding"], row["letters"], row["held"]) for row in totals["by_riding"]] == [
        ("Ottawa Centre", 3, 0),
        ("Nunavut", 1, 1),
        ("Outremont", 1, 0),
    ]
    assert [(row["representative__party_name"], row["letters"]) for row in totals["by_party"]] == [
        ("Liberal", 3),
        ("Conservative", 1),
        ("NDP", 1),
    ]
    assert totals["by_province"] == {"ON": 3, "QC": 1, "NU": 1}
    assert {row["hold"]: row["count"] for row in totals["holds"]} == {"lookup": 1, "no_email": 1}


def test_the_map_has_the_thirteen_provinces_and_territories_shaded_by_letters():
    drawn = province_map({"ON": 10, "QC": 1})
    tiles = {tile["code"]: tile for tile in drawn["tiles"]}
    assert len(tiles) == 13
    assert tiles["ON"]["fill"] == "#123a6e"  # the most: darkest
    assert tiles["QC"]["fill"] == "#c6d6ea"  # one letter still shows
    assert tiles["BC"]["fill"] == "#eef2f7"  # none
    assert len({(tile["x"], tile["y"]) for tile in tiles.values()}) == 13  # no two squares overlap


def test_the_staff_page_shows_the_map_the_parties_and_the_ridings(client, letters):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    response = client.get(f"/admin/campaigns/action/{letters.pk}/mp-letters/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="province-map" role="img"' in html
    assert "Ontario: 3" in html and "Nunavut: 1" in html
    assert "Tile map, not to scale" in html
    assert "Ottawa Centre" in html and "Liberal" in html
    assert "The MP has no email address in the directory" in html
    assert "ana@" not in html and "signer" not in html  # no supporter's data
    assert "http" not in html.split('<svg class="province-map"')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # drawn here: no map service
    change = client.get(f"/admin/campaigns/action/{letters.pk}/change/").content.decode()
    assert f"/admin/campaigns/action/{letters.pk}/mp-letters/" in change


def test_the_csv_of_letters_per_mp(client, letters):
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    response = client.get(f"/admin/campaigns/action/{letters.pk}/mp-letters.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="write-to-your-mp-letters-per-mp-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["riding", "representative", "party", "province", "email", "letters", "sent_or_queued", "held"]
    assert rows[1][:4] == ["Ottawa Centre", "Avery Tremblay", "Liberal", "ON"]
    assert rows[1][5:] == ["3", "0", "0"]
    assert len(rows) == 4


def test_the_api_detail_has_letters_by_riding_without_personal_data(client, letters):
    data = client.get(f"/api/actions/{letters.slug}/").json()
    assert data["by_riding"][0] == {
        "riding": "Ottawa Centre",
        "province": "ON",
        "representative": "Avery Tremblay",
        "party": "Liberal",
        "count": 3,
    }
    assert [row["riding"] for row in data["by_riding"]] == ["Ottawa Centre", "Nunavut", "Outremont"]
    body = client.get(f"/api/actions/{letters.slug}/").content.decode()
    assert "@" not in body.replace("@example.org", "")  # no email address, the MPs' included
    schema = client.get("/api/openapi.json").json()
    assert "by_riding" in schema["components"]["schemas"]["ActionDetail"]["properties"]


def test_other_actions_have_an_empty_by_riding(client, action):
    assert client.get(f"/api/actions/{action.slug}/").json()["by_riding"] == []


def test_a_correction_in_the_admin_survives_the_import_and_a_new_address_waits_for_a_second_person(
    client, represent, letters, django_capture_on_commit_callbacks
):
    representatives_import()  # finds the factory's Nunavut entry by its source key and fills it
    nunavut = Representative.objects.get(district_name="Nunavut", name="Sam Qaqqaq")
    data = {
        "name": nunavut.name,
        "elected_office": nunavut.elected_office,
        "district_name": nunavut.district_name,
        "province": nunavut.province,
        "party_name": "Conservative Party of Canada",
        "email": "sam.qaqqaq@parl.example.ca",
        "office": nunavut.office,
        "url": nunavut.url,
        "photo_url": nunavut.photo_url,
        "in_office": "on",
        "representative_set": nunavut.representative_set,
    }
    url = f"/admin/campaigns/representative/{nunavut.pk}/change/"
    # A campaign manager corrects the party; the address is not theirs to change.
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert 'name="email"' not in client.get(url).content.decode()
    client.post(url, data)
    nunavut.refresh_from_db()
    assert (nunavut.party_name, nunavut.email, nunavut.locked_fields) == (
        "Conservative Party of Canada",
        "",
        ["party_name"],
    )

    giver = staff(GROUP_SUPPORTER_DATA)
    client.force_login(giver)
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, data, follow=True)
    nunavut.refresh_from_db()
    assert nunavut.locked_fields == ["email", "party_name"]
    assert "waits for another member of the Supporter data group to confirm it" in saved.content.decode()
    assert not OutboxEmail.objects.filter(to_email="sam.qaqqaq@parl.example.ca").exists()
    change = pending_address_change(nunavut.target)
    assert change.new_email == "sam.qaqqaq@parl.example.ca" and change.changed_by == giver
    with django_capture_on_commit_callbacks(execute=True):
        assert target_address_confirm(change=change, user=staff(GROUP_SUPPORTER_DATA)) == 1
    assert OutboxEmail.objects.filter(to_email="sam.qaqqaq@parl.example.ca").count() == 1

    representatives_import()  # the service still has no email for them, and another party name

    nunavut.refresh_from_db()
    assert (nunavut.email, nunavut.party_name) == ("sam.qaqqaq@parl.example.ca", "Conservative Party of Canada")


def test_held_letters_are_listed_for_the_supporter_data_group_and_an_unknown_riding_can_be_chosen(
    client, letters, django_capture_on_commit_callbacks
):
    ottawa = Representative.objects.get(district_name="Ottawa Centre")
    waiting = Letter.objects.get(hold=Letter.Hold.LOOKUP)
    Letter.objects.filter(pk=waiting.pk).update(hold=Letter.Hold.NO_RIDING)
    client.force_login(staff(GROUP_SUPPORTER_DATA))
    listing = client.get("/admin/campaigns/letter/?hold__exact=no_riding")
    assert listing.status_code == 200
    assert "The postal code&#x27;s riding is unknown" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/campaigns/letter/{waiting.pk}/change/", {"representative": ottawa.pk})
    waiting.refresh_from_db()
    assert (waiting.hold, waiting.representative, waiting.riding) == ("", ottawa, "Ottawa Centre")
    assert OutboxEmail.objects.filter(key=f"letter:{waiting.pk}").exists()
    # Campaign managers never open supporters' letters.
    client.force_login(staff(GROUP_CAMPAIGN_MANAGERS))
    assert client.get("/admin/campaigns/letter/").status_code == 403
