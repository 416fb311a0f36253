"""The signing limits and lists staff edit in the admin, first filled in from the settings."""

import ipaddress
import logging

from django.conf import settings
from django.db import IntegrityError, transaction

from ..models import AuditEntry, EmailDomainRule, NetworkRule, SigningLimits
from .audit import audit_record

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


def signing_rules_changed(*, user, detail: str) -> None:
    """Staff changed a limit or a list: it is logged, and once committed every process re-reads."""
    from ..abuse import forget_signing_rules

    audit_record(user=user, kind=AuditEntry.Kind.RULES, detail=detail)
    transaction.on_commit(forget_signing_rules)
