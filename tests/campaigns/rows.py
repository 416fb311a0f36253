"""What signing writes, as rows two runs can compare: without what differs from run to run only
(ids, times, the tokens in links), so that two roads to the same place compare equal."""

import re

from accounts.models import ConsentRecord
from campaigns.models import CountDelta, Signature
from emails.models import OutboxEmail

_LINK_TOKEN = re.compile(r"/act/(confirm|withdraw)/[^/\"']+/")


def signing_rows() -> dict:
    return {
        "signatures": sorted(
            (s.email, s.status, s.status_reason, s.first_name, s.last_name, s.country, s.postal_code, s.region)
            + (s.opt_in, s.language, s.emails_sent, s.ip_hash, s.user.email if s.user else None)
            + (s.confirmed_at is not None, s.expires_at is not None)
            for s in Signature.objects.select_related("user")
        ),
        "consent": sorted(
            (c.email, c.topic, c.granted, c.value, c.wording, c.source, c.user_id is not None)
            for c in ConsentRecord.objects.all()
        ),
        "outbox": sorted(
            (o.to_email, re.sub(r"\d+", "#", o.key), o.category, o.language, o.template, o.status)
            + (o.user_id is not None, _LINK_TOKEN.sub(r"/act/\1/…/", repr(sorted(o.context.items()))))
            for o in OutboxEmail.objects.all()
        ),
        "counts": sorted(CountDelta.objects.values_list("country", "region", "delta")),
    }
