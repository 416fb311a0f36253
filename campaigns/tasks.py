"""Thin Celery tasks: take ids, call a service, safe to run twice.

The tasks a service queues itself are defined beside it (services.counts, signatures,
representatives), so that no module of campaigns has to import this one back; they are named here
for Celery's discovery, under the names queued tasks and beat's schedule know."""

from dataclasses import asdict

from celery import shared_task

from accounts.models import User

from . import services
from .models import HOUSE_OF_COMMONS, TargetResponse, Threshold
from .services.counts import fold_action_counts as fold_action_counts
from .services.representatives import address_waiting_letters as address_waiting_letters
from .services.signatures import sign_again as sign_again


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
