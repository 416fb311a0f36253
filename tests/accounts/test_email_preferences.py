import re

from django.urls import reverse
from django.utils import translation

from accounts.consent import WORDING
from accounts.models import ConsentRecord, EmailPreferences
from accounts.services import consent_record, preferences_update

PREFERENCES_URL = "/accounts/email/preferences/"


def test_url_name():
    assert reverse("accounts:email-preferences") == f"/en{PREFERENCES_URL}"  # the active language's address


def test_nothing_is_pre_ticked_for_someone_who_never_opted_in(supporter_client, supporter):
    response = supporter_client.get(PREFERENCES_URL)

    content = response.content.decode()
    assert response.status_code == 200
    checked = [tag for tag in re.findall(r"<input[^>]*>", content) if re.search(r"\schecked\b", tag)]
    assert len(checked) == 1
    assert 'name="digest_frequency"' in checked[0]
    assert 'value="off"' in checked[0]
    assert response.context["form"].initial == {
        "campaign_updates": False,
        "tracker_updates": False,
        "digest_frequency": "off",
    }
    assert not EmailPreferences.objects.filter(user=supporter).exists(), "looking creates nothing"


def test_checkbox_labels_are_the_recorded_wording(supporter_client):
    content = supporter_client.get(PREFERENCES_URL).content.decode()
    for topic in (
        ConsentRecord.Topic.CAMPAIGN_UPDATES,
        ConsentRecord.Topic.TRACKER_UPDATES,
        ConsentRecord.Topic.DIGEST,
    ):
        assert str(WORDING[topic]) in content


def test_saving_records_each_change_with_wording_source_and_time(supporter_client, supporter):
    response = supporter_client.post(PREFERENCES_URL, {"campaign_updates": "on", "digest_frequency": "weekly"})

    assert response.status_code == 302
    preferences = EmailPreferences.objects.get(user=supporter)
    assert (preferences.campaign_updates, preferences.tracker_updates, preferences.digest_frequency) == (
        True,
        False,
        "weekly",
    )
    records = {record.topic: record for record in ConsentRecord.objects.filter(user=supporter)}
    assert set(records) == {ConsentRecord.Topic.CAMPAIGN_UPDATES, ConsentRecord.Topic.DIGEST}
    campaign = records[ConsentRecord.Topic.CAMPAIGN_UPDATES]
    assert campaign.granted is True
    assert campaign.wording == str(WORDING[ConsentRecord.Topic.CAMPAIGN_UPDATES])
    assert campaign.source == PREFERENCES_URL
    assert campaign.email == supporter.email
    assert campaign.created_at is not None
    assert records[ConsentRecord.Topic.DIGEST].value == "weekly"


def test_only_changes_are_recorded(supporter_client, supporter):
    supporter_client.post(PREFERENCES_URL, {"campaign_updates": "on", "digest_frequency": "off"})
    supporter_client.post(PREFERENCES_URL, {"campaign_updates": "on", "digest_frequency": "off"})
    assert ConsentRecord.objects.filter(user=supporter).count() == 1

    supporter_client.post(PREFERENCES_URL, {"digest_frequency": "off"})
    withdrawal = ConsentRecord.objects.filter(user=supporter).first()
    assert ConsentRecord.objects.filter(user=supporter).count() == 2
    assert (withdrawal.topic, withdrawal.granted) == (ConsentRecord.Topic.CAMPAIGN_UPDATES, False)


def test_saved_choices_show_ticked_and_history_newest_first(supporter_client, supporter):
    supporter_client.post(PREFERENCES_URL, {"tracker_updates": "on", "digest_frequency": "off"})
    supporter_client.post(PREFERENCES_URL, {"tracker_updates": "on", "digest_frequency": "daily"})

    response = supporter_client.get(PREFERENCES_URL)

    assert response.context["form"].initial["tracker_updates"] is True
    history = list(response.context["consent_page"].object_list)
    assert [record.topic for record in history] == [ConsentRecord.Topic.DIGEST, ConsentRecord.Topic.TRACKER_UPDATES]
    assert "Digest: given (Daily)" in response.content.decode()


def test_wording_is_recorded_in_the_language_shown(supporter_client, supporter):
    supporter.language = "fr"
    supporter.save()
    supporter_client.post(PREFERENCES_URL, {"campaign_updates": "on", "digest_frequency": "off"})

    with translation.override("fr"):
        expected = str(WORDING[ConsentRecord.Topic.CAMPAIGN_UPDATES])
    assert ConsentRecord.objects.get(user=supporter).wording == expected


def test_an_invalid_frequency_gets_a_message(supporter_client, supporter):
    response = supporter_client.post(PREFERENCES_URL, {"campaign_updates": "on", "digest_frequency": "hourly"})
    assert response.status_code == 200
    assert b'id="id_digest_frequency_error"' in response.content
    assert not ConsentRecord.objects.exists()


def test_history_is_paginated(supporter_client, supporter):
    for index in range(30):
        preferences_update(
            user=supporter,
            campaign_updates=index % 2 == 0,
            tracker_updates=False,
            digest_frequency="off",
            source="test",
        )
    first = supporter_client.get(PREFERENCES_URL)
    second = supporter_client.get(PREFERENCES_URL + "?page=2")
    assert len(first.context["consent_page"].object_list) == 25
    assert len(second.context["consent_page"].object_list) == 5
    assert supporter_client.get(PREFERENCES_URL + "?page=nonsense").status_code == 200


def test_other_supporters_history_is_not_shown(supporter_client, supporter, django_user_model):
    other = django_user_model.objects.create_user("other@example.org", "x")
    preferences_update(user=other, campaign_updates=True, tracker_updates=False, digest_frequency="off", source="x")
    assert not supporter_client.get(PREFERENCES_URL).context["consent_page"].object_list


def test_preferences_page_query_count_does_not_grow_with_history(
    supporter_client, supporter, django_assert_max_num_queries
):
    for index in range(30):
        preferences_update(
            user=supporter, campaign_updates=index % 2 == 0, tracker_updates=False, digest_frequency="off", source="t"
        )
    with django_assert_max_num_queries(6):
        response = supporter_client.get(PREFERENCES_URL)
    assert response.status_code == 200


def test_an_opt_in_given_on_an_action_before_signing_up_is_in_the_history(supporter_client, supporter):
    consent_record(
        topic=ConsentRecord.Topic.ACTION_OPT_IN, granted=True, source="/act/petition/", email=supporter.email.upper()
    )
    history = supporter_client.get(PREFERENCES_URL).context["consent_page"].object_list
    assert [record.source for record in history] == ["/act/petition/"]
