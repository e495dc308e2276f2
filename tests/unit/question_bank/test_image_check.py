"""The bank's image check: real pictures pass normalised (oriented, resized, metadata gone), everything else is
refused with a message the Vietnamese catalog translates. The images are made with Pillow here."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from PIL import Image

from question_bank.image_check import MAX_SIDE, ImageRejected, check_image


def picture(fmt: str, size=(40, 30), colour=(200, 30, 30), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, fmt, **save)
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_png_stays_png_and_is_named_by_its_content():
    checked = check_image(picture("PNG"))
    assert (checked.mime, checked.ext, checked.width, checked.height) == ("image/png", "png", 40, 30)
    assert opened(checked.data).format == "PNG"
    assert checked.name == f"{checked.sha256}.png" and len(checked.sha256) == 64
    assert check_image(picture("PNG")).sha256 == checked.sha256  # the same upload is stored once


def test_a_photo_becomes_jpeg_and_webp_too():
    for fmt in ("JPEG", "WEBP"):
        checked = check_image(picture(fmt))
        assert checked.mime == "image/jpeg" and opened(checked.data).format == "JPEG"


def test_a_phone_cameras_mpo_jpeg_is_a_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40)).save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (50, 40))])
    assert opened(buffer.getvalue()).format == "MPO"
    assert check_image(buffer.getvalue()).mime == "image/jpeg"


def test_a_gif_keeps_its_first_frame_as_png():
    buffer = io.BytesIO()
    frames = [Image.new("P", (20, 20), index) for index in (1, 2, 3)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    checked = check_image(buffer.getvalue())
    assert checked.mime == "image/png" and (checked.width, checked.height) == (20, 20)
    assert getattr(opened(checked.data), "n_frames", 1) == 1


def test_a_large_picture_is_brought_down_to_the_long_side():
    checked = check_image(picture("JPEG", size=(4000, 1000)))
    assert (checked.width, checked.height) == (MAX_SIDE, MAX_SIDE // 4)
    assert opened(checked.data).size == (MAX_SIDE, MAX_SIDE // 4)


def test_exif_orientation_is_applied_and_metadata_is_gone():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: shown as 30 wide and 40 high
    exif[0x010F] = "Camera maker"
    data = picture("JPEG", size=(40, 30), exif=exif.tobytes(), comment=b"secret")
    assert opened(data).getexif()[0x0112] == 6
    checked = check_image(data)
    assert (checked.width, checked.height) == (30, 40)
    stored = opened(checked.data)
    assert not stored.getexif() and "comment" not in stored.info and b"Camera maker" not in checked.data


def test_a_text_file_renamed_png_is_refused():
    with pytest.raises(ImageRejected) as refused:
        check_image(b"<html><script>alert(1)</script></html>")
    assert refused.value.message == "the file is not a PNG, JPEG, WebP or GIF image"


def test_another_image_format_is_refused():
    with pytest.raises(ImageRejected, match="not a PNG"):
        check_image(picture("BMP"))


def test_an_oversized_upload_is_refused_before_reading():
    with pytest.raises(ImageRejected) as refused:
        check_image(picture("PNG"), max_bytes=100)
    assert refused.value.message == "the image is %(size)s, more than the %(max)s allowed"
    assert refused.value.params["max"] == "0.0 MB"


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` × ``height`` (a decompression bomb's header, CRC right)."""
    data = bytearray(picture("PNG", size=(8, 8)))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


@pytest.mark.parametrize("side", [7000, 30000, 100000])
def test_a_decompression_bomb_header_is_refused_before_decoding(side):
    with pytest.raises(ImageRejected) as refused:
        check_image(png_declaring(side, side))
    assert refused.value.message == "the image declares more than %(max)s pixels"


def test_a_truncated_image_is_refused():
    data = picture("PNG", size=(300, 300), colour=(1, 2, 3))
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    with pytest.raises(ImageRejected, match="damaged"):
        check_image(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert check_image(data).width == 300


def test_transparency_is_kept_in_png():
    checked = check_image(picture("PNG", mode="RGBA", colour=(0, 0, 0, 0)))
    assert checked.mime == "image/png" and opened(checked.data).mode == "RGBA"


def test_every_refusal_is_translated():
    catalog = Path(__file__).resolve().parents[3] / "contest" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with catalog.open("rb") as f:
        vietnamese = {m.id: m.string for m in read_po(f, locale="vi") if m.id and m.string}
    source = (Path(__file__).resolve().parents[3] / "question_bank" / "image_check.py").read_text()
    messages = set(re.findall(r'N_\("([^"]+)"\)', source))
    assert len(messages) == 5
    assert all(message in vietnamese for message in messages), [m for m in messages if m not in vietnamese]
