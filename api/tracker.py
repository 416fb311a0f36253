"""API endpoints for the tracker area (the stable API of docs/architecture.md): reviews with their factors,
published developments, figures, statements and sources. Read-only, paginated, no personal data
(editors appear by display name only)."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from core.sites import absolute_url
from tracker import selectors
from tracker.markdown import render_markdown
from tracker.models import (
    Correction,
    Development,
    Factor,
    FactorAssessment,
    Figure,
    Review,
    ReviewStatusChange,
    Source,
    Statement,
)

from .languages import TranslatedSerializerMixin


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "publisher", "title", "url", "published_on", "note"]


class StatusChangeSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by_name", read_only=True)

    class Meta:
        model = ReviewStatusChange
        fields = ["from_status", "to_status", "effective_on", "reason", "changed_by", "recorded_at", "languages"]


class AssessmentChangeSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    assessed_by = serializers.CharField(source="assessed_by_name", read_only=True)

    class Meta:
        model = FactorAssessment
        fields = ["from_assessment", "to_assessment", "reason", "summary", "assessed_by", "assessed_at", "languages"]


class FactorSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    summary_html = serializers.SerializerMethodField()
    history = AssessmentChangeSerializer(source="assessments", many=True, read_only=True)

    class Meta:
        model = Factor
        fields = [
            "paragraph",
            "title",
            "statutory_text",
            "assessment",
            "summary",
            "summary_html",
            "assessed_at",
            "history",
            "languages",
        ]

    def get_summary_html(self, factor) -> str:
        return str(render_markdown(factor.summary))


class CorrectionSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Correction
        fields = ["text", "corrected_at", "languages"]


class DevelopmentSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    summary_html = serializers.SerializerMethodField()
    factors = serializers.SlugRelatedField(slug_field="paragraph", many=True, read_only=True)
    sources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    corrections = CorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = Development
        fields = [
            "id",
            "kind",
            "title",
            "occurred_on",
            "published_at",
            "summary",
            "summary_html",
            "factors",
            "sources",
            "corrections",
            "url",
            "languages",
        ]

    def get_url(self, development) -> str:
        return absolute_url(development.get_absolute_url())

    def get_summary_html(self, development) -> str:
        return str(render_markdown(development.summary))


class FigureSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    factors = serializers.SlugRelatedField(slug_field="paragraph", many=True, read_only=True)
    sources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Figure
        fields = [
            "id",
            "label",
            "series",
            "qualifier",
            "value",
            "unit",
            "period_start",
            "period_end",
            "jurisdiction",
            "note",
            "is_key",
            "factors",
            "sources",
            "languages",
        ]


class StatementSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    factors = serializers.SlugRelatedField(slug_field="paragraph", many=True, read_only=True)
    sources = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Statement
        fields = [
            "id",
            "speaker_name",
            "speaker_role",
            "speaker_party",
            "said_on",
            "quote",
            "quote_language",
            "quote_translation",
            "context",
            "stance",
            "factors",
            "sources",
            "languages",
        ]


class ReviewListSerializer(TranslatedSerializerMixin, serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()
    feed_url = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "slug",
            "title",
            "country_name",
            "country_code",
            "agreement",
            "agreement_in_force_on",
            "legal_basis",
            "legal_basis_url",
            "status",
            "status_changed_on",
            "published_at",
            "url",
            "api_url",
            "feed_url",
            "languages",
        ]

    def get_url(self, review) -> str:
        return absolute_url(review.get_absolute_url())

    def get_api_url(self, review) -> str:
        return absolute_url(reverse("api:tracker-review-detail", args=[review.slug]))

    def get_feed_url(self, review) -> str:
        return absolute_url(reverse("tracker:feed", args=[review.slug]))


class ReviewDetailSerializer(ReviewListSerializer):
    summary_html = serializers.SerializerMethodField()
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    factors = FactorSerializer(many=True, read_only=True)
    developments = serializers.SerializerMethodField()
    figures = FigureSerializer(many=True, read_only=True)
    statements = StatementSerializer(many=True, read_only=True)
    sources = serializers.SerializerMethodField()

    class Meta(ReviewListSerializer.Meta):
        fields = [
            *ReviewListSerializer.Meta.fields,
            "summary",
            "summary_html",
            "status_history",
            "factors",
            "developments",
            "figures",
            "statements",
            "sources",
        ]

    def get_summary_html(self, review) -> str:
        return str(render_markdown(review.summary))

    # Published developments only: drafts never leave the admin.
    @extend_schema_field(DevelopmentSerializer(many=True))
    def get_developments(self, review):
        return DevelopmentSerializer(selectors.published_developments(review), many=True).data

    @extend_schema_field(SourceSerializer(many=True))
    def get_sources(self, review):
        return SourceSerializer(selectors.review_sources(review), many=True).data


class ReviewList(generics.ListAPIView):
    """Published policy reviews."""

    serializer_class = ReviewListSerializer

    def get_queryset(self):
        return Review.objects.published().order_by("position", "title")


class ReviewDetail(generics.RetrieveAPIView):
    """One published review with its status history, factors (and their assessment history),
    published developments, figures, statements and every source they cite."""

    serializer_class = ReviewDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        related = ("factors", "sources")
        return Review.objects.published().prefetch_related(
            Prefetch("status_changes", queryset=ReviewStatusChange.objects.select_related("changed_by")),
            Prefetch(
                "factors",
                queryset=Factor.objects.order_by("position", "paragraph").prefetch_related(
                    Prefetch("assessments", queryset=FactorAssessment.objects.select_related("assessed_by"))
                ),
            ),
            Prefetch("figures", queryset=Figure.objects.prefetch_related(*related)),
            Prefetch("statements", queryset=Statement.objects.prefetch_related(*related)),
        )


class ReviewDevelopmentList(generics.ListAPIView):
    """A published review's published developments, newest first."""

    serializer_class = DevelopmentSerializer

    def get_queryset(self):
        review = get_object_or_404(Review.objects.published(), slug=self.kwargs["slug"])
        return selectors.published_developments(review)


urlpatterns = [
    path("tracker/reviews/", ReviewList.as_view(), name="tracker-review-list"),
    path("tracker/reviews/<slug:slug>/", ReviewDetail.as_view(), name="tracker-review-detail"),
    path(
        "tracker/reviews/<slug:slug>/developments/",
        ReviewDevelopmentList.as_view(),
        name="tracker-review-developments",
    ),
]
