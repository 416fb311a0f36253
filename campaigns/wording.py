"""What the pages and emails call taking an action, per kind: a petition is signed, a letter is
sent, a pledge is taken (« signer », « envoyer », « prendre l'engagement »), never all "signed"."""

from django.utils.translation import gettext_lazy as _

from .models import Action

WORDING = {
    Action.Kind.PETITION: {
        "start": _("Sign the petition"),
        "submit": _("Sign the petition"),
        "confirm_title": _("Confirm your signature"),
        "confirm_button": _("Confirm my signature"),
        "confirmed_title": _("Thank you: your signature counts"),
        "counts_once_confirmed": _("your signature counts only once it is confirmed."),
        "not_recorded": _("This action is no longer taking signatures, so yours was not recorded."),
    },
    Action.Kind.LETTER: {
        "start": _("Write your letter"),
        "submit": _("Send my letter"),
        "confirm_title": _("Confirm your letter"),
        "confirm_button": _("Confirm and send my letter"),
        "confirmed_title": _("Thank you: your letter is sent"),
        "counts_once_confirmed": _("your letter is sent only once you confirm it."),
        "not_recorded": _("This action is no longer taking letters, so yours was not sent."),
    },
    Action.Kind.PLEDGE: {
        "start": _("Take the pledge"),
        "submit": _("Take the pledge"),
        "confirm_title": _("Confirm your pledge"),
        "confirm_button": _("Confirm my pledge"),
        "confirmed_title": _("Thank you: your pledge counts"),
        "counts_once_confirmed": _("your pledge counts only once it is confirmed."),
        "not_recorded": _("This action is no longer taking pledges, so yours was not recorded."),
    },
}


def action_wording(kind: str, what: str) -> str:
    """The words for `what` (a key of WORDING) on an action of this kind; a petition's for an
    unknown kind."""
    return WORDING.get(kind, WORDING[Action.Kind.PETITION])[what]
