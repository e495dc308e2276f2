"""Checking and normalising an uploaded image for the bank (a question's or an option's picture). Pure: bytes in,
bytes out, no Flask, no database.

Only a real PNG, JPEG, WebP or GIF (its first frame) passes. Its size is checked before Pillow reads it and its
pixel count from the header before anything is decoded (a few KB of PNG can declare gigapixels: a decompression
bomb). The EXIF orientation is applied, every piece of metadata (EXIF with its GPS position, comments, colour
profiles) is left behind, the long side is brought down to ``MAX_SIDE`` and the picture is encoded again:

* a photograph (JPEG or WebP upload) as JPEG, quality 85: every phone's browser shows it;
* line art, maps and diagrams (PNG or GIF upload) as PNG, which keeps their sharp edges and transparency, unless
  an opaque one comes out heavier than ``PNG_MAX_BYTES`` (a photograph saved as PNG): then JPEG.

The stored name is the SHA-256 of the bytes written, so the same picture uploaded twice is stored once and its
address (``question_bank.media``) says nothing but its content.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass, field

from question_bank.formats.limits import megabytes
from question_bank.formats.model import N_

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 8000 × 5000: a scanned map passes, a bomb's declared gigapixels do not
MAX_SIDE = 1280  # the long side as stored: sharp on a phone, light on a contest's mobile data
PNG_MAX_BYTES = 1024 * 1024
JPEG_QUALITY = 85
ACCEPTED = {"PNG", "JPEG", "WEBP", "GIF"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


class ImageRejected(ValueError):
    """Why an upload is not a usable image: an English msgid marked with ``N_`` and its params."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class CheckedImage:
    """An image as the bank stores it."""

    sha256: str
    mime: str  # image/png or image/jpeg
    width: int
    height: int
    data: bytes = field(repr=False)

    @property
    def ext(self) -> str:
        return EXTENSIONS[self.mime]

    @property
    def name(self) -> str:
        """``<sha256>.<ext>``: the file name exports give and the address's last part."""
        return f"{self.sha256}.{self.ext}"


def check_image(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_PIXELS,
                max_side: int = MAX_SIDE) -> CheckedImage:
    """The normalised image of ``data``, or ``ImageRejected`` saying why not."""
    from PIL import Image, ImageOps

    if not data:
        raise ImageRejected(N_("the image file is empty"))
    if len(data) > max_bytes:
        raise ImageRejected(N_("the image is %(size)s, more than the %(max)s allowed"),
                            size=megabytes(len(data)), max=megabytes(max_bytes))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data), formats=sorted(ACCEPTED))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(N_("the image declares more than %(max)s pixels"), max=f"{max_pixels:,}") from None
    except Exception:  # Pillow raises many kinds for what is not an image (UnidentifiedImageError, SyntaxError…)
        raise ImageRejected(N_("the file is not a PNG, JPEG, WebP or GIF image")) from None
    with source:
        width, height = source.size
        if width < 1 or height < 1 or width * height > max_pixels:
            raise ImageRejected(N_("the image declares more than %(max)s pixels"), max=f"{max_pixels:,}")
        photo = source.format in ("JPEG", "MPO", "WEBP")  # MPO: a phone camera's JPEG with a second picture
        if source.format in ("JPEG", "MPO"):
            # Decode at the smallest power-of-two scale still covering MAX_SIDE both ways: a 24 Mpx phone photo
            # decodes at a quarter of the memory and time.
            source.draft("RGB", (max_side, max_side))
        try:
            source.seek(0)  # a GIF's (or an animated WebP's) first frame
            picture = ImageOps.exif_transpose(source)
            picture.load()
        except Exception:  # a truncated or corrupt body behind a valid header
            raise ImageRejected(N_("the image is damaged and cannot be read")) from None
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return _encoded(picture, photo)


def _encoded(picture, photo: bool) -> CheckedImage:
    """``picture`` written afresh, without any of the source's metadata (nothing of ``info`` is passed on)."""
    if not photo:
        transparent = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
        flat = picture.convert("RGBA" if transparent else picture.mode if picture.mode in ("1", "L", "RGB") else "RGB")
        data = _save(flat, "PNG", optimize=True)
        if transparent or len(data) <= PNG_MAX_BYTES:
            return _checked(data, "image/png", flat.size)
    flat = _opaque(picture)
    return _checked(_save(flat, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True), "image/jpeg",
                    flat.size)


def _opaque(picture):
    """RGB (or L), transparent parts on white: JPEG has no alpha."""
    from PIL import Image

    if picture.mode in ("RGB", "L"):
        return picture.copy()
    rgba = picture.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


def _save(picture, fmt: str, **options) -> bytes:
    picture.info = {}  # Pillow's writers take a colour profile or EXIF from ``info`` when not told otherwise
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def _checked(data: bytes, mime: str, size: tuple[int, int]) -> CheckedImage:
    return CheckedImage(hashlib.sha256(data).hexdigest(), mime, size[0], size[1], data)
