"""The exact words shown when a supporter gives or withdraws consent, kept with every record."""

from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord

WORDING = {
    ConsentRecord.Topic.CAMPAIGN_UPDATES: _(
        "Yes, email me updates about campaigns I can act on. I can unsubscribe at any time."
    ),
    ConsentRecord.Topic.TRACKER_UPDATES: _(
        "Yes, email me when the policy reviews I follow change. I can unsubscribe at any time."
    ),
    ConsentRecord.Topic.DIGEST: _(
        "Email me a digest of what happened on Rally at the frequency I choose. I can turn it off at any time."
    ),
    ConsentRecord.Topic.ACTION_OPT_IN: _(
        "Yes, keep me informed about this campaign and related ones by email. I can unsubscribe at any time."
    ),
}
