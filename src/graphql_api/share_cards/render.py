"""The share card: a 1200x630 PNG (Open Graph's recommended size) of a comparison's live figures.

Drawn with Pillow from the page's facts (``graphql_api.comparisons.page_facts``): the title, each
tool with its vendor and the panel's ship percentage, and the panel's verdict. Fonts are DejaVu
from Debian's ``fonts-dejavu-core`` (installed by the project's scripts), found in the folder
``VERDICT_SHARE_CARD_FONTS`` names; nothing is downloaded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from graphql_api.comparisons.page_facts import PageFacts, SideFacts

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"

_BACKGROUND = (17, 24, 39)
_PANEL = (31, 41, 55)
_TEXT = (249, 250, 251)
_MUTED = (156, 163, 175)
_ACCENT = (52, 211, 153)
_FAVOURED = (52, 211, 153)

Font = ImageFont.FreeTypeFont


class FontsMissingError(Exception):
    """The share card's fonts are not installed; the message says what to install."""


@dataclass(frozen=True, slots=True)
class Fonts:
    folder: Path

    def get(self, name: str, size: int) -> Font:
        return _font(str(self.folder / name), size)

    def check(self) -> None:
        for name in (REGULAR, BOLD):
            if not (self.folder / name).is_file():
                raise FontsMissingError(
                    f"share card font {self.folder / name} not found: install Debian's "
                    "fonts-dejavu-core or set VERDICT_SHARE_CARD_FONTS to a folder holding "
                    f"{REGULAR} and {BOLD}"
                )


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> Font:
    return ImageFont.truetype(path, size)


def render(facts: PageFacts, fonts: Fonts) -> bytes:
    """The card as PNG bytes."""
    fonts.check()
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 10), fill=_ACCENT)
    draw.text((MARGIN, 44), "VERDICT", font=fonts.get(BOLD, 26), fill=_ACCENT)
    draw.text(
        (WIDTH - MARGIN, 44),
        "Panel verdict",
        font=fonts.get(REGULAR, 24),
        fill=_MUTED,
        anchor="ra",
    )
    title_font = _fitting(draw, fonts, BOLD, facts.comparison.title, WIDTH - 2 * MARGIN, 60, 34)
    title = _clip(draw, facts.comparison.title, title_font, WIDTH - 2 * MARGIN)
    draw.text((MARGIN, 92), title, font=title_font, fill=_TEXT)

    sides = facts.sides[:3]  # a card has room for three columns; the page shows the rest
    gap = 32
    top, bottom = 190, 500
    column = (WIDTH - 2 * MARGIN - gap * (len(sides) - 1)) // max(len(sides), 1)
    for index, side in enumerate(sides):
        left = MARGIN + index * (column + gap)
        _side(draw, fonts, side, (left, top, left + column, bottom), index == facts.favoured)

    verdict_font = _fitting(draw, fonts, BOLD, facts.verdict_text, WIDTH - 2 * MARGIN, 36, 24)
    draw.text(
        (MARGIN, 545),
        _clip(draw, facts.verdict_text, verdict_font, WIDTH - 2 * MARGIN),
        font=verdict_font,
        fill=_TEXT,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _side(
    draw: ImageDraw.ImageDraw,
    fonts: Fonts,
    side: SideFacts,
    box: tuple[int, int, int, int],
    favoured: bool,
) -> None:
    left, top, right, _bottom = box
    draw.rounded_rectangle(
        box, radius=24, fill=_PANEL, outline=_FAVOURED if favoured else None, width=4
    )
    inner = right - left - 64
    name_font = _fitting(draw, fonts, BOLD, side.tool.name, inner, 44, 26)
    draw.text(
        (left + 32, top + 32),
        _clip(draw, side.tool.name, name_font, inner),
        font=name_font,
        fill=_TEXT,
    )
    vendor_font = fonts.get(REGULAR, 24)
    vendor = _clip(draw, f"by {side.tool.vendor}", vendor_font, inner)
    draw.text((left + 32, top + 92), vendor, font=vendor_font, fill=_MUTED)
    percent = "—" if side.ship_percent is None else f"{side.ship_percent}%"
    draw.text(
        (left + 32, top + 140),
        percent,
        font=fonts.get(BOLD, 96),
        fill=_ACCENT if favoured else _TEXT,
    )
    draw.text((left + 32, top + 256), "Panel ship", font=fonts.get(REGULAR, 24), fill=_MUTED)


def _fitting(
    draw: ImageDraw.ImageDraw, fonts: Fonts, name: str, text: str, width: int, size: int, least: int
) -> Font:
    """The largest font from ``size`` down to ``least`` in which ``text`` fits ``width``."""
    while size > least and draw.textlength(text, font=fonts.get(name, size)) > width:
        size -= 2
    return fonts.get(name, size)


def _clip(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> str:
    """``text``, cut with an ellipsis when it is still too wide at the smallest size."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"
