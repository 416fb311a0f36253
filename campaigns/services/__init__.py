"""Writes for campaigns (services write, selectors read): signatures, counts, actions."""

from .actions import action_close, actions_close_due
from .counts import count_change, counts_fold, counts_reconcile, counts_record_history, fold_soon
from .signatures import (
    ActionNotOpen,
    ConfirmOutcome,
    ConfirmResult,
    SignatureResult,
    signature_confirm,
    signature_create,
    signature_invalidate,
    signature_release,
    signature_withdraw,
    signatures_expire,
)

__all__ = [
    "ActionNotOpen",
    "ConfirmOutcome",
    "ConfirmResult",
    "SignatureResult",
    "action_close",
    "actions_close_due",
    "count_change",
    "counts_fold",
    "counts_reconcile",
    "counts_record_history",
    "fold_soon",
    "signature_confirm",
    "signature_create",
    "signature_invalidate",
    "signature_release",
    "signature_withdraw",
    "signatures_expire",
]
