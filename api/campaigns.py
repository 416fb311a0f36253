"""API endpoints for the campaigns area (the stable API of docs/architecture.md): campaigns, actions and
their counts. Read-only, paginated, no personal data; responses are cached for COUNT_DELAY_SECONDS,
so a count is never more than a few seconds behind the pages."""

from django.conf import settings
from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from campaigns.markdown import render_markdown
from campaigns.models import Action, Campaign
from campaigns.selectors import action_breakdown, action_history, letters_by_riding
from core.sites import absolute_url

from .languages import TranslatedSerializerMixin


def _public_status(action: Action) -> str:
    if action.status == Action.Status.LIVE and action.effective_closed_at() is not None:
        return Action.Status.CLOSED  # past its end date; the closing task has not run yet
    return action.status


class ActionSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The campaign's slug.")
    status = serializers.SerializerMethodField(help_text="live or closed")
    count = serializers.SerializerMethodField(help_text="Confirmed, valid signatures (a few seconds behind at most).")
    url = serializers.SerializerMethodField(help_text="The action's page.")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "slug",
            "kind",
            "title",
            "summary",
            "target",
            "status",
            "goal",
            "count",
            "points",
            "url",
            "api_url",
            "campaign",
            "closes_at",
            "closed_at",
            "languages",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[Action.Status.LIVE, Action.Status.CLOSED]))
    def get_status(self, action) -> str:
        return _public_status(action)

    def get_count(self, action) -> int:
        return max(0, action.folded_count)

    def get_url(self, action) -> str:
        return absolute_url(action.get_absolute_url())

    def get_api_url(self, action) -> str:
        return absolute_url(reverse("api:action-detail", args=[action.slug]))


class RegionCountSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="Canadian province or territory code (from the postal code).")
    name = serializers.CharField()
    count = serializers.IntegerField()


class CountryCountSerializer(serializers.Serializer):
    country = serializers.CharField(help_text='ISO 3166-1 alpha-2 code; "" when not given.')
    name = serializers.CharField()
    count = serializers.IntegerField()


class RidingCountSerializer(serializers.Serializer):
    riding = serializers.CharField(help_text="The federal riding (electoral district) of the letters' MP.")
    province = serializers.CharField(help_text='Its province or territory code; "" when not known.')
    representative = serializers.CharField(help_text="The riding's Member of Parliament the letters went to.")
    party = serializers.CharField()
    count = serializers.IntegerField(help_text="Counted letters.")


class HistorySerializer(serializers.Serializer):
    hour = serializers.DateTimeField(help_text="Start of the hour.")
    count = serializers.IntegerField(help_text="The count at the end of that hour (or now, for this hour).")


class ActionDetailSerializer(ActionSerializer):
    ask_html = serializers.SerializerMethodField()
    by_region = serializers.SerializerMethodField()
    by_country = serializers.SerializerMethodField()
    by_riding = serializers.SerializerMethodField(
        help_text="Letters to each supporter's own MP: counted letters per riding ([] for other actions)."
    )
    history = serializers.SerializerMethodField(help_text="Hourly counts over the last 30 days.")

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "ask_html", "by_region", "by_country", "by_riding", "history"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_ask_html(self, action) -> str:
        return render_markdown(action.ask)

    @extend_schema_field(RegionCountSerializer(many=True))
    def get_by_region(self, action):
        return RegionCountSerializer(self._breakdown(action)["by_region"], many=True).data

    @extend_schema_field(CountryCountSerializer(many=True))
    def get_by_country(self, action):
        return CountryCountSerializer(self._breakdown(action)["by_country"], many=True).data

    @extend_schema_field(RidingCountSerializer(many=True))
    def get_by_riding(self, action):
        return RidingCountSerializer(letters_by_riding(action), many=True).data

    @extend_schema_field(HistorySerializer(many=True))
    def get_history(self, action):
        return HistorySerializer(action_history(action), many=True).data

    def _breakdown(self, action):
        if not hasattr(self, "_breakdown_cache"):
            self._breakdown_cache = action_breakdown(action)
        return self._breakdown_cache


class CampaignSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="Slugs of the campaign's public actions.")

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "title",
            "summary",
            "status",
            "featured",
            "url",
            "api_url",
            "actions",
            "published_at",
            "languages",
        ]
        read_only_fields = fields

    def get_url(self, campaign) -> str:
        return absolute_url(campaign.get_absolute_url())

    def get_api_url(self, campaign) -> str:
        return absolute_url(reverse("api:campaign-detail", args=[campaign.slug]))

    def get_actions(self, campaign) -> list[str]:
        return [action.slug for action in campaign.public_actions]


class CampaignDetailSerializer(CampaignSerializer):
    story_html = serializers.SerializerMethodField()
    actions = ActionSerializer(many=True, read_only=True, source="public_actions")

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "story_html"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_story_html(self, campaign) -> str:
        return render_markdown(campaign.story)


def _actions():
    return (
        Action.objects.public()
        .select_related("campaign")
        .annotate(folded_count=Coalesce(F("count_row__count"), 0))
        .order_by("campaign__position", "campaign_id", "position", "pk")
    )


def _campaigns():
    return Campaign.objects.public().prefetch_related(
        Prefetch("actions", queryset=_actions(), to_attr="public_actions")
    )


_cached = method_decorator(cache_page(settings.COUNT_DELAY_SECONDS), name="dispatch")


@_cached
class CampaignList(generics.ListAPIView):
    """Live and archived campaigns, featured first."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return _campaigns().order_by("-featured", "position", "-published_at", "pk")


@_cached
class CampaignDetail(generics.RetrieveAPIView):
    """One campaign with its story and its actions."""

    serializer_class = CampaignDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _campaigns()


@_cached
class ActionList(generics.ListAPIView):
    """Every public action (petitions, pledges, letters) with its count."""

    serializer_class = ActionSerializer

    def get_queryset(self):
        return _actions()


@_cached
class ActionDetail(generics.RetrieveAPIView):
    """One action with its counts by province/territory and by country, and its hourly history."""

    serializer_class = ActionDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return _actions()


urlpatterns = [
    path("campaigns/", CampaignList.as_view(), name="campaign-list"),
    path("campaigns/<slug:slug>/", CampaignDetail.as_view(), name="campaign-detail"),
    path("actions/", ActionList.as_view(), name="action-list"),
    path("actions/<slug:slug>/", ActionDetail.as_view(), name="action-detail"),
]
