"""Share images: the 1200 × 630 PNG a link to an action or a campaign shows where it is shared
(og:image), drawn with Pillow from explicit inputs, and kept in the shared cache so that a
crawler's thousand requests are one render (docs/architecture.md, "Share cards")."""

import hashlib
import io
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from core.sites import site_domain

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
INK = (33, 37, 41)
MUTED = (84, 89, 95)
TRACK = (222, 226, 230)
DEFAULT_ACCENT = (13, 110, 253)
# DejaVu (static/fonts/LICENSE-DejaVu.txt): every letter of French, and shipped with Rally, so the
# image is the same on every machine.
BOLD_FONT = "fonts/DejaVuSans-Bold.ttf"
REGULAR_FONT = "fonts/DejaVuSans.ttf"
TITLE_SIZES = (64, 54, 46)
TITLE_LINES = 3
# The count's and the goal's sizes, the largest at which both fit on one line.
COUNT_SIZES = ((44, 32), (36, 26), (30, 22))
LOGO_BOX = (96, 96)
# Part of every version: a change to the drawing below makes every card be drawn again.
DRAWING = "2"


@lru_cache(maxsize=32)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"The share cards' font {name} is missing from static/.")
    return ImageFont.truetype(path, size)


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap at `width` pixels; a word wider than a line is cut between letters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = max(1, next(i for i in range(len(word), 0, -1) if font.getlength(word[:i]) <= width))
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _title_lines(title: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the title fits in TITLE_LINES lines; at the smallest, cut with "…"."""
    for size in TITLE_SIZES:
        font = _font(BOLD_FONT, size)
        lines = _wrapped(title, font, width)
        if len(lines) <= TITLE_LINES:
            return font, lines
    kept = lines[:TITLE_LINES]
    last = kept[-1]
    while last and font.getlength(f"{last}…") > width:
        last = last[:-1].rstrip()
    kept[-1] = f"{last}…"
    return font, kept


def _logo(logo: bytes | None) -> Image.Image | None:
    """The organisation's logo fitted in LOGO_BOX, or None if there is none Pillow can read (an SVG)."""
    if not logo:
        return None
    try:
        image = Image.open(io.BytesIO(logo))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    image = image.convert("RGBA")
    image.thumbnail(LOGO_BOX)
    return image


def count_wording(kind: str, count: int) -> str:
    """ "1 234 signatures", in the active language and the action's own words."""
    number = intcomma(count)
    if kind == "letter":
        return ngettext("%(count)s letter", "%(count)s letters", count) % {"count": number}
    if kind == "pledge":
        return ngettext("%(count)s person has pledged", "%(count)s people have pledged", count) % {"count": number}
    if kind == "campaign":
        return ngettext("%(count)s action taken", "%(count)s actions taken", count) % {"count": number}
    return ngettext("%(count)s signature", "%(count)s signatures", count) % {"count": number}


def goal_wording(goal: int) -> str:
    return _("of a goal of %(goal)s") % {"goal": intcomma(goal)}


def render_card(
    *,
    title: str,
    count: int,
    goal: int | None,
    organisation: str,
    language: str,
    kind: str = "petition",
    logo: bytes | None = None,
    accent: tuple[int, int, int] = DEFAULT_ACCENT,
) -> bytes:
    """The share image as PNG bytes: the organisation (logo and name), the title wrapped in up to
    three lines, the count in the action's words and, with a goal, the goal and a progress bar.
    `kind` is an action's kind, or "campaign"; the words are in `language`."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 16), fill=accent)

    # The organisation, top left.
    top, left = 56, MARGIN
    picture = _logo(logo)
    if picture is not None:
        image.paste(picture, (left, top + (LOGO_BOX[1] - picture.height) // 2), picture)
        left += picture.width + 24
    name_font = _font(BOLD_FONT, 34)
    name = _wrapped(organisation, name_font, WIDTH - MARGIN - left)[:1]
    draw.text((left, top + LOGO_BOX[1] // 2), name[0] if name else "", font=name_font, fill=MUTED, anchor="lm")

    # The title.
    title_font, lines = _title_lines(title, inner)
    line_height = int(title_font.size * 1.2)
    y = top + LOGO_BOX[1] + 36
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += line_height

    # The count, the goal and the bar, from the bottom up.
    with translation.override(language):
        counted = count_wording(kind, count)
        of_goal = goal_wording(goal) if goal else ""
    bar_top = HEIGHT - MARGIN - 28
    baseline = bar_top - 24 if goal else HEIGHT - MARGIN
    for count_size, goal_size in COUNT_SIZES:
        count_font, goal_font = _font(BOLD_FONT, count_size), _font(REGULAR_FONT, goal_size)
        counted_width = count_font.getlength(counted)
        used = counted_width + (16 + goal_font.getlength(of_goal) if goal else 0)
        if used <= inner:
            break
    draw.text((MARGIN, baseline), counted, font=count_font, fill=INK, anchor="ls")
    if goal:
        draw.text((MARGIN + counted_width + 16, baseline), of_goal, font=goal_font, fill=MUTED, anchor="ls")
        draw.rounded_rectangle((MARGIN, bar_top, WIDTH - MARGIN, bar_top + 28), radius=14, fill=TRACK)
        filled = int(inner * min(count, goal) / goal)
        if filled >= 28:
            draw.rounded_rectangle((MARGIN, bar_top, MARGIN + filled, bar_top + 28), radius=14, fill=accent)
        elif filled > 0:
            draw.ellipse((MARGIN, bar_top, MARGIN + 28, bar_top + 28), fill=accent)
    domain_font = _font(REGULAR_FONT, 26)
    if used + 32 + domain_font.getlength(site_domain()) <= inner:
        draw.text((WIDTH - MARGIN, baseline), site_domain(), font=domain_font, fill=MUTED, anchor="rs")

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


@dataclass(frozen=True)
class Card:
    """What one share image shows; its version names it (the URL carries it, the cache keys on it)."""

    title: str
    count: int
    goal: int | None
    organisation: str
    language: str
    kind: str
    # The logo's name in the default storage (a new upload gets a new name).
    logo_name: str = ""
    accent: tuple[int, int, int] = DEFAULT_ACCENT

    @property
    def version(self) -> str:
        parts = (
            DRAWING,
            settings.RELEASE_ID,
            self.title,
            str(self.count),
            str(self.goal),
            self.organisation,
            self.language,
            self.kind,
            self.logo_name,
            repr(self.accent),
            site_domain(),
        )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]

    def render(self) -> bytes:
        return render_card(
            title=self.title,
            count=self.count,
            goal=self.goal,
            organisation=self.organisation,
            language=self.language,
            kind=self.kind,
            logo=_stored(self.logo_name),
            accent=self.accent,
        )


def _stored(name: str) -> bytes | None:
    if not name:
        return None
    try:
        with default_storage.open(name) as stored:
            return stored.read()
    except OSError:
        # A logo missing from the storage leaves its place empty rather than the card undrawn.
        return None


def _image_key(version: str) -> str:
    return f"campaigns:share-card:{version}"


def _rendering_key(version: str) -> str:
    return f"campaigns:share-card-rendering:{version}"


def shown_count(name: str, count) -> int:
    """The count a share card shows: the count now, held for SHARE_CARD_SECONDS, so a card is
    drawn again at most that often however fast the count moves. `count` is a callable, called
    only when the held count has expired (the page usually has the count already)."""
    return cache.get_or_set(shown_count_key(name), count, settings.SHARE_CARD_SECONDS)


def shown_count_key(name: str) -> str:
    return f"campaigns:share-card-count:{name}"


# How long a request waits for another one that is drawing the same card before drawing it too.
WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.05


def card_png(card: Card) -> bytes:
    """The card's PNG, from the shared cache, or drawn now by this request alone: a request that
    finds another drawing it waits for that one's result (up to WAIT_SECONDS)."""
    key = _image_key(card.version)
    png = cache.get(key)
    if png is not None:
        return png
    lock = _rendering_key(card.version)
    drawing = cache.add(lock, True, 30)
    if not drawing:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
            png = cache.get(key)
            if png is not None:
                return png
    try:
        png = card.render()
        cache.set(key, png, settings.SHARE_CARD_KEPT_SECONDS)
    finally:
        if drawing:
            cache.delete(lock)
    return png
