"""Where a form was posted from, for the forms that cannot carry a per-visitor CSRF token (the
cached anonymous pages, the embed): browsers send Origin on every cross-site POST they make."""

from urllib.parse import urlsplit

from django.conf import settings


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def posted_from(request, *, partners: bool = False) -> bool:
    """Whether the post's Origin (or, failing that, its Referer) is this site, or with `partners`
    one of EMBED_ALLOWED_ORIGINS."""
    allowed = {origin_of(settings.SITE_URL)}
    if partners:
        allowed |= {origin.lower() for origin in settings.EMBED_ALLOWED_ORIGINS}
    origin = request.headers.get("Origin", "")
    if origin:
        return origin.rstrip("/").lower() in allowed
    return origin_of(request.headers.get("Referer", "")) in allowed
