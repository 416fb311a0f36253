"""The export benchmark's exporting process (bench/bench_export.py starts it and watches its memory).

POSTs to the admin's export view as a signed-in member of the Supporter data group and reads the
streamed CSV to the end, as a browser downloading it would; prints one JSON line with the figures.
"""

import json
import resource
import sys
import time

import django
import psutil


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / (1024 * 1024)


def main(action_id: int) -> None:
    django.setup()
    from django.contrib.auth.models import Group
    from django.test import Client

    from accounts.models import GROUP_SUPPORTER_DATA, User
    from campaigns.models import AuditEntry

    user, _created = User.objects.get_or_create(email="bench-export@example.org", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=GROUP_SUPPORTER_DATA))
    client = Client()
    client.force_login(user)
    rss_before = _rss_mb()
    started = time.monotonic()
    response = client.post(f"/admin/campaigns/action/{action_id}/export/")
    if response.status_code != 200 or not response.streaming:
        sys.exit(f"The export answered {response.status_code}")
    rows = -1  # the header line is not a row
    size = 0
    for piece in response.streaming_content:
        size += len(piece)
        rows += piece.count(b"\n")
    response.close()
    seconds = time.monotonic() - started
    entry = AuditEntry.objects.filter(kind=AuditEntry.Kind.EXPORT, action_id=action_id).latest("at")
    print(
        json.dumps(
            {
                "rows": rows,
                "bytes": size,
                "seconds": seconds,
                "logged_rows": entry.rows,
                "rss_before_mb": rss_before,
                "rss_after_mb": _rss_mb(),
                # ru_maxrss is in kilobytes on Linux.
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
