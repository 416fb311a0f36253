from datetime import timedelta

import factory
from django.utils import timezone

from campaigns.addresses import normalise_email
from campaigns.models import Action, Campaign, Signature


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = factory.Sequence(lambda n: f"Campaign {n}")
    summary = "Stand with refugees and migrants."
    story = "Why this matters."
    status = Campaign.Status.LIVE
    published_at = factory.LazyFunction(timezone.now)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    campaign = factory.SubFactory(CampaignFactory)
    slug = factory.Sequence(lambda n: f"action-{n}")
    kind = Action.Kind.PETITION
    title = factory.Sequence(lambda n: f"Petition {n}")
    summary = "Suspend the Safe Third Country Agreement."
    ask = "We call on the Government of Canada to act."
    target = "The Government of Canada"
    goal = 100
    status = Action.Status.LIVE


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    action = factory.SubFactory(ActionFactory)
    first_name = "Ana"
    last_name = "Pereira"
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_normalised = factory.LazyAttribute(lambda s: normalise_email(s.email))
    country = "CA"
    region = "ON"
    postal_code = "K1A 0B1"
    status = Signature.Status.CONFIRMED
    confirmed_at = factory.LazyAttribute(lambda s: timezone.now() if s.status == Signature.Status.CONFIRMED else None)
    expires_at = factory.LazyAttribute(
        lambda s: timezone.now() + timedelta(days=14) if s.status == Signature.Status.PENDING else None
    )
