"""Reads for the tracker's pages, feed, API and the home page. Each page's reads are a fixed number
of queries, whatever the number of developments."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from .charts import Chart, series_charts
from .models import (
    Correction,
    Development,
    Factor,
    FactorAssessment,
    Figure,
    Follow,
    Review,
    ReviewStatusChange,
    Source,
    Statement,
)

RECENT_DEVELOPMENTS = 5
EVIDENCE_PER_FACTOR = 3
HEADLINE_DEVELOPMENTS = 3


def public_reviews() -> QuerySet[Review]:
    """Published reviews, each with its latest published development's date."""
    return Review.objects.published().annotate(
        last_published_at=Max("developments__published_at", filter=Q(developments__state=Development.State.PUBLISHED)),
        published_developments=Count("developments", filter=Q(developments__state=Development.State.PUBLISHED)),
    )


def _sources_prefetch() -> Prefetch:
    return Prefetch("sources", queryset=Source.objects.order_by("-published_on", "publisher", "pk"))


def published_developments(review: Review) -> QuerySet[Development]:
    """The review's published developments with what each page shows of them, newest first."""
    return (
        Development.objects.published()
        .filter(review=review)
        .select_related("review")
        .prefetch_related(
            Prefetch("factors", queryset=Factor.objects.order_by("position", "paragraph")),
            _sources_prefetch(),
            Prefetch("corrections", queryset=Correction.objects.order_by("corrected_at", "pk")),
        )
        .order_by("-occurred_on", "-published_at", "-pk")
    )


def development_detail(*, review: Review, pk: int, include_drafts: bool = False) -> Development | None:
    queryset = Development.objects.filter(review=review, pk=pk)
    if not include_drafts:
        queryset = queryset.published()
    return (
        queryset.select_related("review")
        .prefetch_related(
            Prefetch("factors", queryset=Factor.objects.order_by("position", "paragraph")),
            _sources_prefetch(),
            Prefetch("corrections", queryset=Correction.objects.order_by("corrected_at", "pk")),
        )
        .first()
    )


def review_factors(review: Review) -> QuerySet[Factor]:
    """Factors with their assessment history, their latest evidence and how much evidence there is."""
    published = Q(developments__state=Development.State.PUBLISHED)
    return (
        Factor.objects.filter(review=review)
        .annotate(evidence_count=Count("developments", filter=published, distinct=True))
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=FactorAssessment.objects.select_related("assessed_by").order_by("-assessed_at", "-pk"),
            ),
            Prefetch(
                "developments",
                queryset=Development.objects.published()
                .select_related("review")
                .order_by("-occurred_on", "-published_at", "-pk")[:EVIDENCE_PER_FACTOR],
                to_attr="latest_evidence",
            ),
        )
        .order_by("position", "paragraph")
    )


def review_figures(review: Review) -> QuerySet[Figure]:
    return Figure.objects.filter(review=review).prefetch_related(_sources_prefetch())


def review_statements(review: Review) -> QuerySet[Statement]:
    return (
        Statement.objects.filter(review=review)
        .prefetch_related(_sources_prefetch(), Prefetch("factors", queryset=Factor.objects.order_by("position")))
        .order_by("-said_on", "-pk")
    )


def review_status_history(review: Review) -> QuerySet[ReviewStatusChange]:
    return ReviewStatusChange.objects.filter(review=review).select_related("changed_by")


def review_sources(review: Review) -> QuerySet[Source]:
    """Every source the review's public content cites (drafts' sources stay private)."""
    through_developments = Development.sources.through.objects.filter(
        development__review=review, development__state=Development.State.PUBLISHED
    ).values("source_id")
    through_figures = Figure.sources.through.objects.filter(figure__review=review).values("source_id")
    through_statements = Statement.sources.through.objects.filter(statement__review=review).values("source_id")
    return Source.objects.filter(
        Q(pk__in=through_developments) | Q(pk__in=through_figures) | Q(pk__in=through_statements)
    ).order_by("-published_on", "publisher", "title", "pk")


def review_sources_with_citations(review: Review) -> QuerySet[Source]:
    """The review's sources, each with the developments, figures and statements citing it."""
    return review_sources(review).prefetch_related(
        Prefetch(
            "developments",
            queryset=Development.objects.published().filter(review=review).select_related("review"),
            to_attr="citing_developments",
        ),
        Prefetch("figures", queryset=Figure.objects.filter(review=review), to_attr="citing_figures"),
        Prefetch("statements", queryset=Statement.objects.filter(review=review), to_attr="citing_statements"),
    )


@dataclass
class ReviewPage:
    review: Review
    status_history: list[ReviewStatusChange]
    recent_developments: list[Development]
    factors: list[Factor]
    key_figures: list[Figure]
    charts: list[Chart]
    statements: list[Statement]
    follow: Follow | None = None
    development_count: int = 0
    assessment_counts: dict[str, int] = field(default_factory=dict)

    @property
    def last_reviewed(self) -> Factor | None:
        """The factor assessed most recently: its date and role are the review's last review."""
        assessed = [factor for factor in self.factors if factor.assessed_at is not None]
        return max(assessed, key=lambda factor: factor.assessed_at) if assessed else None


def review_page(*, review: Review, user=None) -> ReviewPage:
    """Everything the review's page shows, in a fixed number of queries."""
    figures = list(review_figures(review))
    factors = list(review_factors(review))
    counts: dict[str, int] = {}
    for factor in factors:
        counts[factor.assessment] = counts.get(factor.assessment, 0) + 1
    follow = follow_of(review=review, user=user) if user is not None else None
    return ReviewPage(
        review=review,
        status_history=list(review_status_history(review)),
        recent_developments=list(published_developments(review)[:RECENT_DEVELOPMENTS]),
        factors=factors,
        key_figures=[figure for figure in figures if figure.is_key],
        charts=series_charts(figures),
        statements=list(review_statements(review)),
        follow=follow,
        development_count=Development.objects.published().filter(review=review).count(),
        assessment_counts=counts,
    )


def follow_by_token(follow_token: str | None) -> Follow | None:
    """The follow a signed link names (the token read from the link), with its review."""
    if not follow_token:
        return None
    return Follow.objects.select_related("review", "user").filter(token=follow_token).first()


def follow_of(*, review: Review, user) -> Follow | None:
    if not user.is_authenticated:
        return None
    return Follow.objects.select_related("review", "user").filter(review=review, user=user).first()


def timeline(
    *,
    review: Review,
    factor: Factor | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Development]:
    """Published developments, newest first, narrowed by factor, kind and date range."""
    developments = published_developments(review)
    if factor is not None:
        developments = developments.filter(factors=factor)
    if kind:
        developments = developments.filter(kind=kind)
    if date_from is not None:
        developments = developments.filter(occurred_on__gte=date_from)
    if date_to is not None:
        developments = developments.filter(occurred_on__lte=date_to)
    return developments


@dataclass
class Headline:
    review: Review
    status: str
    status_label: str
    status_changed_on: date
    url: str
    factors: list[Factor]
    latest_developments: list[Development]


def review_related_actions(review: Review) -> list:
    """The campaign actions shown with their form on the review's page (open ones first)."""
    return list(review.related_actions.public().select_related("campaign").order_by("-status", "position", "pk"))


def tracker_headline() -> Headline | None:
    """The home page's tracker headline: the first published review's status, its factors'
    assessments and its latest developments. None while no review is public."""
    review = public_reviews().order_by("position", "title").first()
    if review is None:
        return None
    return Headline(
        review=review,
        status=review.status,
        status_label=review.get_status_display(),
        status_changed_on=review.status_changed_on,
        url=review.get_absolute_url(),
        factors=list(Factor.objects.filter(review=review).order_by("position", "paragraph")),
        latest_developments=list(
            Development.objects.published()
            .filter(review=review)
            .select_related("review")
            .order_by("-occurred_on", "-published_at", "-pk")[:HEADLINE_DEVELOPMENTS]
        ),
    )


def digest_developments(*, user, since: datetime, until: datetime) -> QuerySet[Development]:
    """For the digest: developments published in [since, until) on reviews the user follows with
    digest-only delivery (immediate followers already had their email)."""
    followed = Follow.objects.confirmed().filter(user=user, delivery=Follow.Delivery.DIGEST).values("review_id")
    return (
        Development.objects.published()
        .filter(review_id__in=followed, published_at__gte=since, published_at__lt=until)
        .select_related("review")
        .order_by("review_id", "-published_at", "-pk")
    )
