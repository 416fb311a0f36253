"""Writes for campaigns (services write, selectors read): signatures, counts, actions."""

from .actions import action_close, actions_close_due
from .counts import count_change, counts_fold, counts_reconcile, counts_record_history, fold_soon
from .exports import signatures_csv
from .letters import letter_send, letter_withhold, letters_bundle
from .moderation import (
    NotReversible,
    domain_signatures,
    invalidation_restorable,
    invalidation_reverse,
    invalidation_reversible,
    signatures_invalidate,
    signatures_release,
)
from .publishing import campaign_archive, campaign_close, campaign_publish, campaigns_publish_due
from .representatives import (
    letter_address,
    letters_address_waiting,
    postal_code_lookup,
    representative_correct,
    representatives_import,
)
from .responses import response_email_signers
from .rules import signing_limits_stored, signing_rules_changed
from .signatures import (
    ActionChanged,
    ActionNotOpen,
    ConfirmOutcome,
    ConfirmResult,
    SignatureResult,
    signature_confirm,
    signature_create,
    signature_invalidate,
    signature_release,
    signature_sign_again,
    signature_withdraw,
    signatures_expire,
)
from .targets import (
    held_letters,
    pending_address_change,
    target_address_change,
    target_address_confirm,
    target_address_propose,
)
from .thresholds import GoalNotRaised, ThresholdNotReached, action_raise_goal, threshold_notify_signers

__all__ = [
    "ActionChanged",
    "ActionNotOpen",
    "ConfirmOutcome",
    "ConfirmResult",
    "GoalNotRaised",
    "NotReversible",
    "SignatureResult",
    "ThresholdNotReached",
    "action_close",
    "action_raise_goal",
    "actions_close_due",
    "campaign_archive",
    "campaign_close",
    "campaign_publish",
    "campaigns_publish_due",
    "count_change",
    "counts_fold",
    "counts_reconcile",
    "counts_record_history",
    "domain_signatures",
    "fold_soon",
    "invalidation_restorable",
    "invalidation_reverse",
    "invalidation_reversible",
    "letter_send",
    "letter_withhold",
    "letters_bundle",
    "letter_address",
    "letters_address_waiting",
    "postal_code_lookup",
    "representative_correct",
    "representatives_import",
    "response_email_signers",
    "signature_confirm",
    "signature_create",
    "signature_invalidate",
    "signature_release",
    "signature_sign_again",
    "signature_withdraw",
    "signatures_csv",
    "signatures_expire",
    "signatures_invalidate",
    "signatures_release",
    "signing_limits_stored",
    "signing_rules_changed",
    "held_letters",
    "pending_address_change",
    "target_address_change",
    "target_address_confirm",
    "target_address_propose",
    "threshold_notify_signers",
]
