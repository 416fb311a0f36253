"""The client of Open North's Represent API (settings.REPRESENT_URL): a representative set, page
by page, and the representatives of a postal code. Every fault of the service (timeout, refused
connection, 5xx, a body that is not the documented JSON) is one exception, RepresentUnavailable,
so callers have one thing to handle; a postal code the service does not know is None.

Shapes (https://represent.opennorth.ca/api/): a set's page is {"objects": [...], "meta": {"next":
"/representatives/house-of-commons/?limit=…&offset=…" or null, ...}}; a postal code is {"code",
"city", "province", "centroid", "boundaries_centroid", "boundaries_concordance",
"representatives_centroid", "representatives_concordance"}.
"""

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .models import HOUSE_OF_COMMONS

# Represent's largest page: the House of Commons (343 seats) in one request.
PAGE_SIZE = 1000
# A federal electoral district's number starts with its province's Statistics Canada code.
_PROVINCE_BY_SGC = {
    "10": "NL", "11": "PE", "12": "NS", "13": "NB", "24": "QC", "35": "ON", "46": "MB",
    "47": "SK", "48": "AB", "59": "BC", "60": "YT", "61": "NT", "62": "NU",
}  # fmt: skip
_PROVINCE_CODES = set(_PROVINCE_BY_SGC.values())
# "Ottawa ON  K1A 0A6" at the end of an office's postal address.
_ADDRESS_PROVINCE = re.compile(r"\b([A-Z]{2})\s+[A-Z]\d[A-Z]\s?\d[A-Z]\d\s*$")


class RepresentUnavailable(Exception):
    """The service did not give a usable answer (down, slow, erring or malformed)."""


def _session() -> requests.Session:
    # Retries on connection errors, read timeouts and the 5xx a restarting service gives, with a
    # short backoff; a 404 is an answer (an unknown code), never retried.
    retry = Retry(
        total=settings.REPRESENT_RETRIES,
        connect=settings.REPRESENT_RETRIES,
        read=settings.REPRESENT_RETRIES,
        status=settings.REPRESENT_RETRIES,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        backoff_factor=0.2,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "Rally (advocacy platform)"
    return session


def _get(url: str) -> dict | None:
    """The JSON object at `url`; None on a 404."""
    try:
        with _session() as session:
            response = session.get(url, timeout=settings.REPRESENT_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise RepresentUnavailable(f"{url}: {error.__class__.__name__}") from error
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise RepresentUnavailable(f"{url}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise RepresentUnavailable(f"{url}: not JSON") from error
    if not isinstance(data, dict):
        raise RepresentUnavailable(f"{url}: not a JSON object")
    return data


def representative_set_url(representative_set: str = HOUSE_OF_COMMONS) -> str:
    return f"{settings.REPRESENT_URL}/representatives/{representative_set}/"


def representatives(representative_set: str = HOUSE_OF_COMMONS) -> Iterator[tuple[dict, str]]:
    """Every representative of the set as (object, the URL of its page), following meta.next."""
    url = f"{representative_set_url(representative_set)}?limit={PAGE_SIZE}"
    seen = set()
    while url and url not in seen:
        seen.add(url)
        page = _get(url)
        if page is None:
            raise RepresentUnavailable(f"{url}: no such representative set")
        objects, meta = page.get("objects"), page.get("meta")
        if not isinstance(objects, list) or not isinstance(meta, dict):
            raise RepresentUnavailable(f"{url}: no objects or meta")
        for item in objects:
            if isinstance(item, dict):
                yield item, url
        following = meta.get("next")
        url = urljoin(f"{settings.REPRESENT_URL}/", following) if isinstance(following, str) and following else None


def postcode(code: str) -> dict | None:
    """Represent's answer for a postal code (upper case, no space); None when it knows no such code."""
    data = _get(f"{settings.REPRESENT_URL}/postcodes/{code}/")
    if data is None:
        return None
    for key in ("representatives_centroid", "boundaries_centroid"):
        if not isinstance(data.get(key), list):
            raise RepresentUnavailable(f"postcode {code}: no {key}")
    return data


def in_set(item: dict, representative_set: str) -> bool:
    """Whether a representative object (from a postal code's lists) belongs to the set."""
    set_url = (item.get("related") or {}).get("representative_set_url") or ""
    if set_url:
        return f"/representative-sets/{representative_set}/" in set_url
    return representative_set == HOUSE_OF_COMMONS and item.get("representative_set_name") == "House of Commons"


def _text(item: dict, key: str, limit: int) -> str:
    value = item.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _province(item: dict, offices: list) -> str:
    district_id = str(item.get("district_id") or "")
    boundary = (item.get("related") or {}).get("boundary_url") or ""
    number = district_id or boundary.rstrip("/").rsplit("/", 1)[-1]
    if number[:2] in _PROVINCE_BY_SGC and number.isdigit():
        return _PROVINCE_BY_SGC[number[:2]]
    extra = item.get("extra") if isinstance(item.get("extra"), dict) else {}
    if str(extra.get("province", "")).upper() in _PROVINCE_CODES:
        return str(extra["province"]).upper()
    for office in offices:
        match = _ADDRESS_PROVINCE.search(office.get("postal") or "")
        if match and match.group(1) in _PROVINCE_CODES:
            return match.group(1)
    return ""


def _office(offices: list) -> str:
    """The constituency office (else the first), as address and phone lines."""
    chosen = next((office for office in offices if office.get("type") == "constituency"), offices[0] if offices else {})
    lines = [str(chosen.get("postal") or "").strip(), str(chosen.get("tel") or "").strip()]
    return "\n".join(line for line in lines if line)[:1000]


def directory_entry(item: dict) -> dict | None:
    """A Representative's directory fields from a Represent object; None without a name or riding."""
    offices = [office for office in item.get("offices") or [] if isinstance(office, dict)]
    entry = {
        "name": _text(item, "name", 200),
        "district_name": _text(item, "district_name", 200),
        "elected_office": _text(item, "elected_office", 100),
        "party_name": _text(item, "party_name", 200),
        "province": _province(item, offices),
        "email": _text(item, "email", 254),
        "office": _office(offices),
        "photo_url": _text(item, "photo_url", 500),
        "url": _text(item, "url", 500),
    }
    if not entry["name"] or not entry["district_name"]:
        return None
    return entry
