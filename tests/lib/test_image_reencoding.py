"""Accepted images are decoded and saved anew: only their pixels are stored."""

import io

from PIL import Image, ImageChops, ImageOps, ImageStat

from tests.hostile_files import photo_jpeg, screenshot_png
from zizhu.lib.uploads import check_attachment


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_phone_photo_keeps_its_pixels_upright_and_loses_exif_profile_and_comment():
    original = photo_jpeg(64, 48)

    stored = check_attachment("照片.jpg", original).content

    image = opened(stored)
    assert image.format == "JPEG" and image.size == (48, 64)  # turned by its EXIF orientation
    assert not {"exif", "icc_profile", "comment"} & image.info.keys()
    for trace in (b"Exif", b"ICC_PROFILE", b"EvilPhone", b"<script", b"<html"):
        assert trace not in stored
    # the same picture: the original turned upright differs only by JPEG noise
    upright = ImageOps.exif_transpose(opened(original))
    difference = ImageChops.difference(upright.convert("RGB"), image.convert("RGB"))
    assert max(ImageStat.Stat(difference).mean) < 8


def test_a_jpeg_keeps_its_quantisation_tables_so_its_quality():
    original = photo_jpeg(64, 48)

    stored = check_attachment("照片.jpg", original).content

    assert opened(stored).quantization == opened(original).quantization


def test_a_png_keeps_its_exact_pixels_and_transparency_and_loses_its_chunks():
    original = screenshot_png(40, 30)

    stored = check_attachment("截图.png", original).content

    image = opened(stored)
    assert image.mode == "RGBA" and image.info == {}
    assert image.size == (30, 40)  # turned by its EXIF orientation
    assert image.tobytes() == ImageOps.exif_transpose(opened(original)).tobytes()
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"):
        assert chunk not in stored
    assert b"13800138000" not in stored


def test_a_palette_png_keeps_its_palette_and_transparent_colour():
    source = Image.new("P", (4, 4), 1)
    source.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    source.save(out, "PNG", transparency=0)

    image = opened(check_attachment("图.png", out.getvalue()).content)

    assert image.mode == "P" and image.info.get("transparency") == 0
    assert image.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 255)
