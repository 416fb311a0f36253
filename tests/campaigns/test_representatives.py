"""The directory of representatives and the postal-code lookup, against the local fake of
Represent (tests/represent.py): pagination, staff corrections, caching, and every fault."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.models import Letter, PostalCodeLookup, Representative
from campaigns.represent import RepresentUnavailable
from campaigns.services import postal_code_lookup, representatives_import
from campaigns.tasks import import_representatives
from config.settings import CELERY_BEAT_SCHEDULE

from .factories import LetterActionFactory, RepresentativeFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_the_import_follows_the_pages_and_fills_every_field(represent):
    result = representatives_import()

    assert (result.created, result.updated, result.retired) == (4, 0, 0)
    assert represent.paths("/representatives/house-of-commons/") == [
        "/representatives/house-of-commons/?limit=1000",
        "/representatives/house-of-commons/?limit=2&offset=2",
    ]
    ottawa = Representative.objects.get(district_name="Ottawa Centre")
    assert ottawa.name == "Avery Tremblay"
    assert ottawa.party_name == "Liberal"
    assert ottawa.province == "ON"  # from the district's number (35… is Ontario)
    assert ottawa.email == "avery.tremblay@parl.example.ca"
    assert ottawa.office == "100 Main Street\nOttawa ON  K1S 1A1\n1 555-555-0199"  # the constituency office
    assert ottawa.photo_url.startswith("https://www.ourcommons.ca/")
    assert ottawa.source == f"{represent.url}/representatives/house-of-commons/?limit=1000"
    assert ottawa.imported_at is not None and ottawa.in_office
    assert Representative.objects.get(district_name="Nunavut").province == "NU"
    assert Representative.objects.get(district_name="Nunavut").email == ""
    assert Representative.objects.get(district_name="Outremont").province == "QC"


def test_a_second_import_changes_nothing_and_keeps_staff_corrections(represent):
    representatives_import()
    ottawa = Representative.objects.get(district_name="Ottawa Centre")
    ottawa.email = "avery.tremblay.corrected@parl.example.ca"
    ottawa.name = "Avery J. Tremblay"
    ottawa.locked_fields = ["email", "name"]
    ottawa.save()

    result = representatives_import()

    assert (result.created, result.updated, result.unchanged, result.retired) == (0, 0, 4, 0)
    ottawa.refresh_from_db()
    assert ottawa.email == "avery.tremblay.corrected@parl.example.ca"
    assert ottawa.name == "Avery J. Tremblay"
    assert Representative.objects.count() == 4  # the corrected name still matches its entry


def test_an_import_marks_members_gone_from_the_set_out_of_office_and_keeps_their_letters(represent):
    gone = RepresentativeFactory(district_name="Old Riding", name="Former Member")
    letter_action = LetterActionFactory()
    signature = SignatureFactory(action=letter_action)
    Letter.objects.create(signature=signature, target=letter_action.letter_target, representative=gone, message="Hi")

    result = representatives_import()

    assert result.retired == 1
    gone.refresh_from_db()
    assert not gone.in_office
    assert Representative.objects.mps().filter(pk=gone.pk).count() == 0
    assert Letter.objects.get().representative == gone


def test_another_representative_set_such_as_a_provincial_legislature(represent):
    call_command("import_representatives", "--set", "ontario-legislature", stdout=StringIO())

    mpp = Representative.objects.get()
    assert mpp.representative_set == "ontario-legislature"
    assert (mpp.name, mpp.elected_office, mpp.province) == ("Riley Singh", "MPP", "ON")
    assert Representative.objects.mps().count() == 0  # not a Member of Parliament


@pytest.mark.parametrize("mode", ["timeout", "error", "malformed"])
def test_an_import_from_a_failing_service_changes_nothing(represent, mode):
    existing = RepresentativeFactory()
    represent.mode = mode
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_representatives", stdout=StringIO())
    existing.refresh_from_db()
    assert existing.in_office
    assert Representative.objects.count() == 1


def test_the_command_says_what_it_did(represent):
    out = StringIO()
    call_command("import_representatives", stdout=out)
    assert "house-of-commons: 4 new, 0 updated, 0 unchanged, 0 no longer in office." in out.getvalue()


def test_beat_runs_the_import_weekly(represent):
    entry = CELERY_BEAT_SCHEDULE["campaigns-import-representatives"]
    assert entry["task"] == "campaigns.tasks.import_representatives"
    assert entry["schedule"].day_of_week == {1}
    assert import_representatives.delay().get()["created"] == 4


# Postal code to riding ---------------------------------------------------------------------------


def test_a_postal_code_is_asked_upper_case_without_space_and_then_cached(represent):
    first = postal_code_lookup(postal_code="k1a 0b1")
    again = postal_code_lookup(postal_code="K1A0B1")

    assert represent.paths("/postcodes/") == ["/postcodes/K1A0B1/"]
    assert [rep.name for rep in first.representatives] == ["Avery Tremblay"]  # the MPP is left out
    assert first.representative == again.representative
    stored = PostalCodeLookup.objects.get()
    assert (stored.code, stored.ridings, stored.city, stored.province) == ("K1A0B1", ["Ottawa Centre"], "Ottawa", "ON")
    # The code's MP came with the answer: the directory knows them before any import.
    assert Representative.objects.get(district_name="Ottawa Centre").email == "avery.tremblay@parl.example.ca"


def test_the_cache_lasts_thirty_days(represent, settings):
    postal_code_lookup(postal_code="K1A 0B1")
    postal_code_lookup(postal_code="K1A 0B1", now=timezone.now() + timedelta(days=29))
    assert len(represent.paths("/postcodes/")) == 1
    postal_code_lookup(postal_code="K1A 0B1", now=timezone.now() + timedelta(days=31))
    assert len(represent.paths("/postcodes/")) == 2


def test_a_code_in_several_ridings_gives_each_mp_the_centroids_first(represent):
    lookup = postal_code_lookup(postal_code="H2X 1Y4")
    assert [rep.district_name for rep in lookup.representatives] == ["Laurier—Sainte-Marie", "Outremont"]
    assert lookup.representative is None  # the supporter chooses


def test_an_unknown_code_is_not_found_and_cached_too(represent):
    lookup = postal_code_lookup(postal_code="K0K 0K0")
    assert not lookup.found and lookup.representatives == []
    postal_code_lookup(postal_code="K0K 0K0")
    assert represent.paths("/postcodes/") == ["/postcodes/K0K0K0/"]


@pytest.mark.parametrize("mode", ["timeout", "error", "malformed"])
def test_a_failing_service_is_retried_then_unavailable_and_nothing_is_cached(represent, mode):
    represent.mode = mode
    with pytest.raises(RepresentUnavailable):
        postal_code_lookup(postal_code="K1A 0B1")
    if mode != "malformed":  # a 200 with a broken body is not retried: the next answer would be the same
        assert len(represent.paths("/postcodes/")) == 2  # one retry (REPRESENT_RETRIES=1 in tests)
    assert not PostalCodeLookup.objects.exists()


def test_after_a_failure_lookups_answer_at_once_for_a_while(represent, settings):
    represent.mode = represent.ERROR
    with pytest.raises(RepresentUnavailable):
        postal_code_lookup(postal_code="K1A 0B1")
    asked = len(represent.requests)
    represent.mode = represent.OK
    with pytest.raises(RepresentUnavailable):
        postal_code_lookup(postal_code="H2X 1Y4")
    assert len(represent.requests) == asked  # no new request while the service is thought down
    from django.core.cache import cache

    cache.clear()  # REPRESENT_DOWN_SECONDS later
    assert postal_code_lookup(postal_code="H2X 1Y4").found


def test_lookups_wait_three_seconds_per_attempt_by_default():
    from config import settings as defaults

    assert defaults.REPRESENT_TIMEOUT_SECONDS == 3.0
    assert defaults.REPRESENT_RETRIES >= 1
    assert defaults.REPRESENT_URL == "https://represent.opennorth.ca"
    assert defaults.POSTAL_CODE_LOOKUP_DAYS == 30
