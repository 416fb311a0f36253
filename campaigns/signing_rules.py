"""The signing limits and lists in force: stored in the database (first filled in from the
settings, then edited in the admin), read through the shared cache and each thread's copy, and
forgotten when staff change them. Below both campaigns.abuse, which applies them, and
campaigns.services.rules, which records a change."""

import ipaddress
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from .models import EmailDomainRule, NetworkRule, SigningLimits

logger = logging.getLogger(__name__)


def _setting_networks(values) -> list[str]:
    networks = []
    for value in values:
        try:
            networks.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            logger.warning("Ignoring %r in the signing settings: not an IP address or network", value)
    return networks


def _setting_domains(values) -> list[str]:
    return sorted({value.strip().lstrip("@").rstrip(".").casefold() for value in values if value.strip()})


def signing_limits_stored() -> SigningLimits:
    """The one row of limits. The first time it is needed it is made, with the lists, from the
    settings; from then on the admin is where they change."""
    limits = SigningLimits.objects.filter(pk=1).first()
    if limits is not None:
        return limits
    try:
        with transaction.atomic():
            limits = SigningLimits.objects.create(
                pk=1,
                burst_limit=settings.SIGNING_BURST_LIMIT,
                burst_window_seconds=settings.SIGNING_BURST_WINDOW_SECONDS,
                sustained_limit=settings.SIGNING_SUSTAINED_LIMIT,
                sustained_window_seconds=settings.SIGNING_SUSTAINED_WINDOW_SECONDS,
            )
            NetworkRule.objects.bulk_create(
                [
                    NetworkRule(kind=NetworkRule.Kind.ALLOW, network=n)
                    for n in _setting_networks(settings.SIGNING_ALLOWED_NETWORKS)
                ]
                + [
                    NetworkRule(kind=NetworkRule.Kind.BLOCK, network=n)
                    for n in _setting_networks(settings.SIGNING_BLOCKED_NETWORKS)
                ],
                ignore_conflicts=True,
            )
            EmailDomainRule.objects.bulk_create(
                [
                    EmailDomainRule(kind=EmailDomainRule.Kind.BLOCK, domain=d)
                    for d in _setting_domains(settings.SIGNING_BLOCKED_EMAIL_DOMAINS)
                ]
                + [
                    EmailDomainRule(kind=EmailDomainRule.Kind.ALIAS_INSENSITIVE, domain=d)
                    for d in _setting_domains(settings.SIGNATURE_ALIAS_INSENSITIVE_DOMAINS)
                ],
                ignore_conflicts=True,
            )
    except IntegrityError:
        # Another process made them at the same moment.
        limits = SigningLimits.objects.get(pk=1)
    return limits


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


@dataclass(frozen=True)
class SigningRules:
    limits: tuple[Limit, ...]
    allowed_networks: tuple[Network, ...]
    blocked_networks: tuple[Network, ...]
    blocked_email_domains: frozenset[str]
    alias_insensitive_domains: frozenset[str] = frozenset()


RULES_CACHE_KEY = "campaigns:signing-rules"


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for value in values:
        value = value.strip()
        if value:
            networks.append(ipaddress.ip_network(value, strict=False))
    return tuple(networks)


def _stored_rules() -> SigningRules:
    limits = signing_limits_stored()
    networks = {kind: [] for kind in NetworkRule.Kind.values}
    for kind, network in NetworkRule.objects.values_list("kind", "network"):
        networks[kind].append(network)
    domains = {kind: set() for kind in EmailDomainRule.Kind.values}
    for kind, domain in EmailDomainRule.objects.values_list("kind", "domain"):
        domains[kind].add(domain.strip().casefold())
    return SigningRules(
        limits=(
            Limit("burst", limits.burst_limit, limits.burst_window_seconds),
            Limit("sustained", limits.sustained_limit, limits.sustained_window_seconds),
        ),
        allowed_networks=_networks(tuple(sorted(networks[NetworkRule.Kind.ALLOW]))),
        blocked_networks=_networks(tuple(sorted(networks[NetworkRule.Kind.BLOCK]))),
        blocked_email_domains=frozenset(domains[EmailDomainRule.Kind.BLOCK]),
        alias_insensitive_domains=frozenset(domains[EmailDomainRule.Kind.ALIAS_INSENSITIVE]),
    )


# Every signing request reads the rules twice (normalising the address, then the verdict); reading
# and unpickling them from the shared cache each time cost more than the checks. Each thread keeps
# what it read for this long, so an admin edit reaches every process within a second.
LOCAL_RULES_SECONDS = 1.0
_local = threading.local()


def signing_rules() -> SigningRules:
    """The rules in force: the admin's, read through the shared cache so every process agrees."""
    now = time.monotonic()
    held = getattr(_local, "rules", None)
    if held is not None and now - held[0] < LOCAL_RULES_SECONDS:
        return held[1]
    rules = cache.get(RULES_CACHE_KEY)
    if not isinstance(rules, SigningRules):
        rules = _stored_rules()
        cache.set(RULES_CACHE_KEY, rules, settings.SIGNING_RULES_CACHE_SECONDS)
    _local.rules = (now, rules)
    return rules


def forget_signing_rules() -> None:
    _local.rules = None
    cache.delete(RULES_CACHE_KEY)
