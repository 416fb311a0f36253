import datetime

import factory
from django.utils import timezone

from tracker.models import Development, Factor, Figure, Follow, Review, Source, Statement


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    publisher = "CBC News"
    title = factory.Sequence(lambda n: f"Report {n}")
    url = factory.Sequence(lambda n: f"https://www.cbc.ca/news/report-{n}")
    published_on = datetime.date(2018, 6, 18)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    slug = factory.Sequence(lambda n: f"country-{n}")
    title = factory.Sequence(lambda n: f"Is country {n} still a safe third country?")
    country_name = "United States"
    country_code = "US"
    agreement = "Safe Third Country Agreement"
    legal_basis = "IRPA s. 102(3)"
    status = Review.Status.UNDER_REVIEW
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class FactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factor

    review = factory.SubFactory(ReviewFactory)
    paragraph = factory.Iterator(["a", "b", "c", "d"])
    title = factory.LazyAttribute(lambda factor: f"Factor {factor.paragraph}")


class _Sourced(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create:
            self.sources.set(extracted if extracted is not None else [SourceFactory()])

    @factory.post_generation
    def factors(self, create, extracted, **kwargs):
        if create and extracted:
            self.factors.set(extracted)


class DevelopmentFactory(_Sourced):
    class Meta:
        model = Development

    review = factory.SubFactory(ReviewFactory)
    kind = Development.Kind.STATISTIC
    title = factory.Sequence(lambda n: f"Development number {n}")
    summary = "Something **happened**."
    occurred_on = datetime.date(2018, 6, 18)
    state = Development.State.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda development: timezone.now() if development.state == Development.State.PUBLISHED else None
    )


class FigureFactory(_Sourced):
    class Meta:
        model = Figure

    review = factory.SubFactory(ReviewFactory)
    label = factory.Sequence(lambda n: f"Figure {n}")
    value = 150
    unit = "minors"
    period_start = datetime.date(2017, 4, 1)
    period_end = datetime.date(2017, 12, 31)
    jurisdiction = "Canada"


class StatementFactory(_Sourced):
    class Meta:
        model = Statement

    review = factory.SubFactory(ReviewFactory)
    speaker_name = "Jenny Kwan"
    speaker_role = "NDP immigration critic"
    speaker_party = "NDP"
    said_on = datetime.date(2018, 6, 18)
    quote = "If Canada does not step up, then we are complicit."
    stance = Statement.Stance.SUPPORTS_SUSPENSION


class FollowFactory(factory.django.DjangoModelFactory):
    """A confirmed follow by email; pass user=... (and email="") for an account's follow."""

    class Meta:
        model = Follow

    review = factory.SubFactory(ReviewFactory)
    email = factory.Sequence(lambda n: f"follower{n}@example.org")
    confirmed_at = factory.LazyFunction(timezone.now)
