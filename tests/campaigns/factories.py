from datetime import timedelta

import factory
from django.utils import timezone

from campaigns.abuse import signing_address
from campaigns.models import (
    Action,
    Campaign,
    PostalCodeLookup,
    Representative,
    Signature,
    Target,
    TargetResponse,
    Threshold,
)


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
    email_normalised = factory.LazyAttribute(lambda s: signing_address(s.email))
    country = "CA"
    region = "ON"
    postal_code = "K1A 0B1"
    status = Signature.Status.CONFIRMED
    confirmed_at = factory.LazyAttribute(lambda s: timezone.now() if s.status == Signature.Status.CONFIRMED else None)
    expires_at = factory.LazyAttribute(
        lambda s: timezone.now() + timedelta(days=14) if s.status == Signature.Status.PENDING else None
    )


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    name = "The Minister of Immigration, Refugees and Citizenship"
    title = "Government of Canada"
    email = factory.Sequence(lambda n: f"minister{n}@example.org")


class LetterActionFactory(ActionFactory):
    kind = Action.Kind.LETTER
    title = factory.Sequence(lambda n: f"Letter {n}")
    letter_target = factory.SubFactory(TargetFactory)
    target = factory.LazyAttribute(lambda a: a.letter_target.display_name[:200])
    letter_subject = "Please suspend the Safe Third Country Agreement"
    letter_template = "Dear Minister,\n\nPlease suspend the agreement.\n\nYours sincerely,"


class MpLetterActionFactory(ActionFactory):
    """A letter to each supporter's own MP, found from their postal code."""

    kind = Action.Kind.LETTER
    title = factory.Sequence(lambda n: f"Write to your MP {n}")
    letter_recipient = "mp"
    letter_target = None
    target = "Your Member of Parliament"
    ask_postal_code = Action.Field.REQUIRED
    letter_subject = "Please suspend the Safe Third Country Agreement"
    letter_template = "Dear MP,\n\nPlease suspend the agreement.\n\nYours sincerely,"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    name = factory.Sequence(lambda n: f"Member {n}")
    district_name = factory.Sequence(lambda n: f"Riding {n}")
    source_key = factory.LazyAttribute(lambda r: f"{r.district_name}::{r.name}")
    elected_office = "MP"
    party_name = "Liberal"
    province = "ON"
    email = factory.Sequence(lambda n: f"mp{n}@parl.example.ca")


class PostalCodeLookupFactory(factory.django.DjangoModelFactory):
    """A postal code already looked up (the lookup table), so no request is made."""

    class Meta:
        model = PostalCodeLookup

    code = "K1A0B1"
    ridings = factory.LazyFunction(list)
    province = "ON"


class ThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Threshold

    action = factory.SubFactory(ActionFactory)
    count = 500
    name = "The House of Commons threshold"
    consequence = "The petition can be presented in the House."


class TargetResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetResponse

    action = factory.SubFactory(ActionFactory)
    responder = "The Minister of Immigration, Refugees and Citizenship"
    title = "The Government's response"
    body = "The Government is reviewing the agreement."
