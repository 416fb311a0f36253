"""Thin Celery tasks: take ids, call a service, safe to run twice."""

from dataclasses import asdict

from celery import shared_task
from django.core.cache import cache

from accounts.models import User

from . import services
from .models import HOUSE_OF_COMMONS, TargetResponse, Threshold
from .represent import RepresentUnavailable
from .services.counts import fold_pending_key


@shared_task(ignore_result=True)
def fold_action_counts(action_id: int) -> int:
    # Cleared before folding: a change committed from now on asks for a fold of its own.
    cache.delete(fold_pending_key(action_id))
    return services.counts_fold(action_ids=[action_id])


@shared_task(ignore_result=True)
def fold_counts() -> int:
    return services.counts_fold()


@shared_task(ignore_result=True)
def reconcile_counts() -> list[dict]:
    return services.counts_reconcile()


@shared_task(ignore_result=True)
def record_count_history() -> int:
    return services.counts_record_history()


@shared_task(ignore_result=True)
def close_due_actions() -> int:
    return services.actions_close_due()


@shared_task(ignore_result=True)
def expire_signatures() -> int:
    return services.signatures_expire()


@shared_task(ignore_result=True)
def publish_scheduled_campaigns() -> int:
    return services.campaigns_publish_due()


@shared_task(ignore_result=True)
def send_letter_bundles() -> int:
    return services.letters_bundle()


@shared_task(ignore_result=True)
def import_representatives(representative_set: str = HOUSE_OF_COMMONS) -> dict:
    return asdict(services.representatives_import(representative_set=representative_set))


@shared_task(
    ignore_result=True,
    autoretry_for=(RepresentUnavailable,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=12,
)
def address_waiting_letters() -> int:
    """Letters saved while the lookup service was down; retried with backoff while it still is
    (and beat runs it every few minutes besides, so none waits for ever)."""
    return services.letters_address_waiting()


def _user(user_id: int | None):
    return User.objects.filter(pk=user_id).first() if user_id else None


@shared_task(ignore_result=True)
def email_milestone_to_signers(threshold_id: int, user_id: int | None = None) -> int:
    threshold = Threshold.objects.filter(pk=threshold_id).first()
    if threshold is None:
        return 0
    return services.threshold_notify_signers(threshold=threshold, user=_user(user_id))


@shared_task(ignore_result=True)
def email_response_to_signers(response_id: int, user_id: int | None = None) -> int:
    response = TargetResponse.objects.filter(pk=response_id).first()
    if response is None:
        return 0
    return services.response_email_signers(response=response, user=_user(user_id))


@shared_task(ignore_result=True)
def sign_again(
    action_id: int,
    email_normalised: str,
    details: dict,
    signed_at: str,
    source_url: str = "",
    message: str = "",
    representative_id: int | None = None,
) -> None:
    services.signature_sign_again(
        action_id=action_id,
        email_normalised=email_normalised,
        details=details,
        signed_at=signed_at,
        source_url=source_url,
        message=message,
        representative_id=representative_id,
    )
