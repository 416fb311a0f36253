"""gunicorn's settings for Rally's web process (the Procfile passes this file; gunicorn also reads it
on its own when started from the checkout).

It listens on loopback unless BIND_ADDRESS says otherwise: the public reaches it through the
reverse proxy (docs/operations.md, "Behind a proxy").

It believes no client about where a request came from or how it was addressed. Left to its
defaults, gunicorn lets any client on forwarded_allow_ips (loopback, where a local proxy connects
from) set the SCRIPT_NAME that prefixes every link Django makes, and the scheme through
X-Forwarded-Proto and the like. Rally trusts proxies in one place only, TRUSTED_PROXY_COUNT
(config/settings.py and core.middleware.TrustedProxyMiddleware), and is served at the root.
"""

import os


def _bind_address() -> str:
    address = os.environ.get("BIND_ADDRESS", "") or "127.0.0.1"
    port = os.environ.get("PORT", "") or "8000"
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"  # an IPv6 address
    return f"{address}:{port}"


bind = [_bind_address()]
# No peer may set the forwarding headers: the scheme headers are ignored, and SCRIPT_NAME and
# PATH_INFO sent as headers are dropped (header_map stays "drop").
forwarded_allow_ips = ""
forwarder_headers = ""
