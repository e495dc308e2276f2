"""A certificate as a PDF (pure: the statement, the template's texts and images in, bytes out): A4 landscape,
the organiser's title, logo, text and signature, the verification code and a QR code of the ``/verify/<code>``
address. The font is Noto Sans from the ``fontpkg-noto-sans`` package (PyPI, OFL), embedded (subset) in every
file, so Vietnamese reads the same on every machine."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg_noto_sans
import segno
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "NotoSans"
PLACEHOLDERS = ("name", "unit", "score", "max_score", "rank", "entrants", "prize", "date", "round", "contest")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PAGE = landscape(A4)
ACCENT = Color(0.55, 0.08, 0.08)


@cache
def font_path() -> Path:
    return fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"


@cache
def register_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, str(font_path())))
    return FONT


def unknown_placeholders(text: str) -> list[str]:
    """The ``{names}`` in ``text`` that are not placeholders (an organiser's typo)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})


def fill(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each known ``{placeholder}`` replaced (nothing else is evaluated: no format spec, no
    attribute access)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")) if m.group(1) in PLACEHOLDERS else m.group(0),
                           text)


@dataclass(frozen=True)
class Design:
    """A contest's template, ready to draw: the images read once for a whole job."""

    title: str
    body: str
    signer: str
    logo: ImageReader | None = None
    signature: ImageReader | None = None


def image(data: bytes | None) -> ImageReader | None:
    return ImageReader(io.BytesIO(data)) if data else None


def render(design: Design, stated: Mapping[str, object], *, code: str, verify_url: str) -> bytes:
    """One certificate's PDF."""
    font = register_font()
    out = io.BytesIO()
    width, height = PAGE
    pdf = Canvas(out, pagesize=PAGE, pageCompression=1)
    pdf.setTitle(f"{design.title} · {stated.get('name', '')}")
    pdf.setStrokeColor(ACCENT)
    pdf.setLineWidth(3)
    pdf.rect(18, 18, width - 36, height - 36)
    pdf.setLineWidth(1)
    pdf.rect(26, 26, width - 52, height - 52)
    if design.logo is not None:
        pdf.drawImage(design.logo, 50, height - 140, width=90, height=90, preserveAspectRatio=True, mask="auto")
    pdf.setFillColor(ACCENT)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 110, design.title)
    pdf.setFillColor(black)
    pdf.setFont(font, 30)
    pdf.drawCentredString(width / 2, height - 185, str(stated.get("name", "")))
    pdf.setFont(font, 14)
    pdf.drawCentredString(width / 2, height - 210, str(stated.get("unit", "")))
    y = height - 250
    if stated.get("prize"):
        pdf.setFillColor(ACCENT)
        pdf.setFont(font, 24)
        pdf.drawCentredString(width / 2, y, str(stated["prize"]))
        pdf.setFillColor(black)
        y -= 36
    pdf.setFont(font, 15)
    for line in fill(design.body, stated).splitlines():
        for part in simpleSplit(line, font, 15, width - 200) or [""]:
            pdf.drawCentredString(width / 2, y, part)
            y -= 21
    pdf.setFont(font, 12)
    pdf.drawCentredString(width - 190, 150, str(stated.get("date", "")))
    if design.signature is not None:
        pdf.drawImage(design.signature, width - 265, 78, width=150, height=65, preserveAspectRatio=True, mask="auto")
    pdf.drawCentredString(width - 190, 62, design.signer)
    _qr(pdf, verify_url, 50, 50, 90)
    pdf.setFont(font, 9)
    pdf.drawString(150, 62, code)
    pdf.drawString(150, 50, verify_url)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _qr(pdf: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares (one path: a few hundred modules draw in well under a millisecond)."""
    matrix = segno.make(data, error="m", micro=False).matrix
    cell = size / len(matrix)
    path = pdf.beginPath()
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                path.rect(x + column * cell, y + size - (row_number + 1) * cell, cell, cell)
    pdf.setFillColor(black)
    pdf.drawPath(path, stroke=0, fill=1)
