"""The fast path's start-up check: the order of the middleware it depends on (see __init__)."""

from django.conf import settings
from django.core import checks

from . import middleware_order_errors


@checks.register(checks.Tags.compatibility)
def fast_path_order(app_configs=None, **kwargs) -> list[checks.Error]:
    return [
        checks.Error(message, hint="See campaigns/fastpath/__init__.py.", id="campaigns.E001")
        for message in middleware_order_errors(settings.MIDDLEWARE)
    ]
