import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import GROUP_SUPPORTER_DATA, GROUP_TRACKER_EDITORS
from tests.accounts.factories import UserFactory
from tracker.models import (
    Assessment,
    Correction,
    Development,
    Factor,
    FactorAssessment,
    Figure,
    NotificationBatch,
    Review,
    ReviewStatusChange,
    Source,
    Statement,
)

from .factories import DevelopmentFactory, FactorFactory, FollowFactory, ReviewFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.ADMIN_REQUIRES_MFA = False


def _staff_in(group_name, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(_staff_in(GROUP_TRACKER_EDITORS, first_name="Ana", last_name="Editor"))
    return client


def _value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def form_data(response) -> dict:
    """What a browser would submit for the admin page in `response`, unchanged."""
    data = {}

    def put(name, value):
        value = _value(value)
        if value is not None:
            data[name] = value

    form = response.context["adminform"].form
    for name in form.fields:
        put(name, form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            put(f"{formset.prefix}-{name}", formset.management_form[name].value())
        for subform in formset.initial_forms:
            for name in subform.fields:
                put(subform.add_prefix(name), subform[name].value())
    return data


def add_row(data, response, model, row: dict) -> None:
    """Adds one new row to the inline of `model`."""
    formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is model
    )
    index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in row.items():
        data[f"{formset.prefix}-{index}-{name}"] = str(value)


def errors_of(response) -> str:
    return response.content.decode()


def test_editors_have_their_permissions_and_not_followers():
    editors = Group.objects.get(name=GROUP_TRACKER_EDITORS)
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_development", "change_development", "view_development", "add_source", "change_factor"} <= codenames
    assert "delete_figure" not in codenames and "delete_statement" not in codenames
    assert "change_factorassessment" not in codenames and "delete_reviewstatuschange" not in codenames
    assert not {codename for codename in codenames if codename.endswith("_follow")}
    supporter_data = Group.objects.get(name=GROUP_SUPPORTER_DATA)
    assert {"view_follow", "delete_follow"} <= set(supporter_data.permissions.values_list("codename", flat=True))


def test_an_editor_adds_a_sourced_development(editor_client):
    review = ReviewFactory()
    factor = FactorFactory(review=review, paragraph="b")
    source = SourceFactory()
    url = reverse("admin:tracker_development_add")
    page = editor_client.get(url)
    data = form_data(page)
    data.update(
        review=review.pk,
        kind="statistic",
        title_en="Nearly 2,000 children separated",
        slug="",
        occurred_on="2018-06-15",
        summary_en="DHS figures.",
        factors=[str(factor.pk)],
    )
    add_row(data, page, Development.sources.through, {"source": source.pk})
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    development = Development.objects.get()
    assert development.state == Development.State.DRAFT
    assert list(development.sources.all()) == [source]
    assert development.created_by.first_name == "Ana"
    assert development.slug == "nearly-2000-children-separated"


def test_a_development_without_a_source_gets_a_clear_message(editor_client):
    review = ReviewFactory()
    url = reverse("admin:tracker_development_add")
    data = form_data(editor_client.get(url))
    data.update(review=review.pk, kind="statistic", title="Unsourced", occurred_on="2018-06-15", summary="Trust me.")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Cite at least one source" in response.content.decode()
    assert not Development.objects.exists()


def test_a_development_cannot_bear_on_another_review_factor(editor_client):
    review = ReviewFactory()
    foreign = FactorFactory()
    url = reverse("admin:tracker_development_add")
    page = editor_client.get(url)
    data = form_data(page)
    data.update(
        review=review.pk, kind="statistic", title="T", occurred_on="2018-06-15", summary="S", factors=[str(foreign.pk)]
    )
    add_row(data, page, Development.sources.through, {"source": SourceFactory().pk})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Choose factors of this review only." in response.content.decode()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "cbc.ca/news", "ftp://example.org/x"])
def test_a_source_without_a_web_address_gets_a_clear_message(editor_client, url):
    response = editor_client.post(
        reverse("admin:tracker_source_add"), {"publisher": "CBC", "title": "A report", "url": url}
    )
    assert response.status_code == 200
    assert "Enter a full web address starting with http:// or https://." in response.content.decode()
    assert not Source.objects.exists()


def test_a_figure_ending_before_it_starts_gets_a_clear_message(editor_client):
    review = ReviewFactory()
    url = reverse("admin:tracker_figure_add")
    page = editor_client.get(url)
    data = form_data(page)
    data.update(
        review=review.pk,
        label_en="Children separated",
        value="2000",
        unit_en="children",
        period_start="2018-05-31",
        period_end="2018-04-19",
        jurisdiction_en="United States",
    )
    add_row(data, page, Figure.sources.through, {"source": SourceFactory().pk})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "The period cannot end before it starts." in response.content.decode()
    data["period_start"], data["period_end"] = "2018-04-19", "2018-05-31"
    assert editor_client.post(url, data).status_code == 302
    assert Figure.objects.get().sources.count() == 1


def test_a_statement_without_a_speaker_gets_a_clear_message(editor_client):
    review = ReviewFactory()
    url = reverse("admin:tracker_statement_add")
    page = editor_client.get(url)
    data = form_data(page)
    data.update(review=review.pk, speaker_name="  ", said_on="2018-06-18", quote="We are complicit.", stance="neutral")
    add_row(data, page, Statement.sources.through, {"source": SourceFactory().pk})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say who made the statement" in response.content.decode()
    assert not Statement.objects.exists()


def test_the_publish_action_publishes_sourced_drafts_and_schedules_news(editor_client):
    review = ReviewFactory()
    draft = DevelopmentFactory(review=review, state=Development.State.DRAFT)
    unsourced = DevelopmentFactory(review=review, state=Development.State.DRAFT, sources=[], title="Unsourced draft")
    response = editor_client.post(
        reverse("admin:tracker_development_changelist"),
        {"action": "publish_developments", "_selected_action": [draft.pk, unsourced.pk], "publish_without_french": "1"},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    unsourced.refresh_from_db()
    assert draft.state == Development.State.PUBLISHED and draft.notification_batch is not None
    assert unsourced.state == Development.State.DRAFT
    page = response.content.decode()
    assert "1 development published" in page
    assert "Unsourced draft" in page and "cites no source" in page
    assert NotificationBatch.objects.count() == 1


def test_published_developments_are_history(editor_client):
    published = DevelopmentFactory()
    draft = DevelopmentFactory(state=Development.State.DRAFT)
    assert editor_client.get(reverse("admin:tracker_development_delete", args=[published.pk])).status_code == 403
    assert (
        editor_client.post(reverse("admin:tracker_development_delete", args=[draft.pk]), {"post": "yes"}).status_code
        == 302
    )
    assert not Development.objects.filter(pk=draft.pk).exists()
    page = editor_client.get(reverse("admin:tracker_development_change", args=[published.pk]))
    # read-only once published
    assert not {"summary_en", "summary_fr"} & set(page.context["adminform"].form.fields)


def test_a_correction_is_added_to_a_published_development(editor_client):
    published = DevelopmentFactory(title="Nearly 2,000 children")
    url = reverse("admin:tracker_development_change", args=[published.pk])
    page = editor_client.get(url)
    data = form_data(page)
    add_row(data, page, Correction, {"text_en": "DHS later gave 1,995."})
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    correction = published.corrections.get()
    assert correction.text == "DHS later gave 1,995."
    assert correction.created_by.first_name == "Ana"
    published.refresh_from_db()
    assert published.title == "Nearly 2,000 children"


def test_changing_an_assessment_needs_a_reason_and_is_recorded(editor_client):
    factor = FactorFactory(paragraph="b")
    url = reverse("admin:tracker_factor_change", args=[factor.pk])
    data = form_data(editor_client.get(url))
    data.update(assessment=Assessment.CONCERNS, summary="Family separations.", reason="")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why the assessment changes" in response.content.decode()

    data["reason"] = "DHS figures, June 2018"
    assert editor_client.post(url, data).status_code == 302
    factor.refresh_from_db()
    assert factor.assessment == Assessment.CONCERNS
    change = FactorAssessment.objects.get()
    assert (change.from_assessment, change.to_assessment, change.reason) == (
        Assessment.NOT_ASSESSED,
        Assessment.CONCERNS,
        "DHS figures, June 2018",
    )
    assert change.assessed_by_name == "Ana Editor"


def test_a_review_with_its_factors_inline_records_status_and_assessment_changes(editor_client):
    review = ReviewFactory(status=Review.Status.UNDER_REVIEW)
    factor = FactorFactory(review=review, paragraph="c")
    url = reverse("admin:tracker_review_change", args=[review.pk])
    page = editor_client.get(url)
    data = form_data(page)
    prefix = next(
        inline.formset.prefix for inline in page.context["inline_admin_formsets"] if inline.formset.model is Factor
    )
    data.update(status=Review.Status.SUSPENSION_CALLED_FOR, status_reason="", status_effective_on="2018-06-18")
    data[f"{prefix}-0-assessment"] = Assessment.CONCERNS
    data[f"{prefix}-0-reason"] = "The UN's call"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say why the review has this status" in response.content.decode()

    data["status_reason"] = "MPs called for suspension"
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    review.refresh_from_db()
    factor.refresh_from_db()
    assert review.status == Review.Status.SUSPENSION_CALLED_FOR
    assert review.status_changed_on == datetime.date(2018, 6, 18)
    change = ReviewStatusChange.objects.get(review=review)
    assert (change.from_status, change.reason) == (Review.Status.UNDER_REVIEW, "MPs called for suspension")
    assert factor.assessment == Assessment.CONCERNS
    assert FactorAssessment.objects.get(factor=factor).reason == "The UN's call"


def test_a_review_added_in_the_admin_starts_as_a_draft_with_its_status_history(editor_client):
    url = reverse("admin:tracker_review_add")
    data = form_data(editor_client.get(url))
    data.update(
        title_en="Is the US safe?",
        slug="us",
        country_name_en="United States",
        country_code="us",
        agreement_en="STCA",
        legal_basis_en="IRPA s. 102(3)",
        status=Review.Status.DESIGNATED,
        status_reason="Designated in 2004",
        status_effective_on="2004-12-29",
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    review = Review.objects.get()
    assert review.published_at is None
    assert review.status_changed_on == datetime.date(2004, 12, 29)
    assert review.status_changes.get().reason == "Designated in 2004"


def test_editors_cannot_see_followers_but_supporter_data_staff_can(client):
    follow = FollowFactory(email="secret.follower@example.org")
    changelist = reverse("admin:tracker_follow_changelist")

    editor = _staff_in(GROUP_TRACKER_EDITORS)
    client.force_login(editor)
    assert client.get(changelist).status_code == 403
    assert "secret.follower" not in client.get(reverse("admin:index")).content.decode()
    review_list = client.get(reverse("admin:tracker_review_changelist")).content.decode()
    assert "secret.follower" not in review_list

    data_staff = _staff_in(GROUP_SUPPORTER_DATA)
    client.force_login(data_staff)
    response = client.get(changelist)
    assert response.status_code == 200
    assert "secret.follower@example.org" in response.content.decode()
    assert client.post(reverse("admin:tracker_follow_delete", args=[follow.pk]), {"post": "yes"}).status_code == 302

    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(changelist).status_code == 200


def test_history_in_the_admin_shows_names_not_addresses(editor_client):
    from tracker import services

    editor = UserFactory(first_name="", last_name="", email="hidden.editor@example.org", is_staff=True)
    factor = FactorFactory()
    services.factor_assess(factor=factor, assessment=Assessment.MEETS, summary="", reason="ok", user=editor)
    page = editor_client.get(reverse("admin:tracker_factor_change", args=[factor.pk])).content.decode()
    assert "Tracker editor" in page
    assert "hidden.editor@example.org" not in page


def test_the_change_pages_link_to_the_previews(editor_client):
    development = DevelopmentFactory(state=Development.State.DRAFT)
    page = editor_client.get(reverse("admin:tracker_development_change", args=[development.pk])).content.decode()
    preview = reverse("tracker:development-preview", args=[development.review.slug, development.pk])
    assert preview in page
    assert editor_client.get(preview).status_code == 200


def test_every_tracker_admin_page_opens_for_an_editor(editor_client):
    development = DevelopmentFactory()
    factor = FactorFactory(review=development.review)
    pages = [
        reverse("admin:index"),
        reverse("admin:tracker_review_changelist"),
        reverse("admin:tracker_review_add"),
        reverse("admin:tracker_review_change", args=[development.review.pk]),
        reverse("admin:tracker_factor_change", args=[factor.pk]),
        reverse("admin:tracker_development_changelist"),
        reverse("admin:tracker_development_add"),
        reverse("admin:tracker_development_change", args=[development.pk]),
        reverse("admin:tracker_figure_changelist"),
        reverse("admin:tracker_figure_add"),
        reverse("admin:tracker_statement_changelist"),
        reverse("admin:tracker_statement_add"),
        reverse("admin:tracker_source_changelist"),
        reverse("admin:tracker_source_add"),
        reverse("admin:tracker_notificationbatch_changelist"),
        reverse("admin:autocomplete") + "?app_label=tracker&model_name=development_sources&field_name=source&term=Rep",
    ]
    for page in pages:
        assert editor_client.get(page).status_code == 200, page
