"""Keys of what campaigns keeps in the shared cache. A key of something a release renders or
pickles carries the release (settings.RELEASE_ID): a deploy never reads the previous one's."""

from django.conf import settings


def count_cache_key(action_id: int) -> str:
    return f"campaigns:count:{action_id}"


def breakdown_cache_key(action_id: int) -> str:
    return f"campaigns:breakdown:{action_id}"


def public_action_cache_key(slug: str) -> str:
    # A pickled Action: another release may have other fields.
    return f"campaigns:public-action:{settings.RELEASE_ID}:{slug}"
