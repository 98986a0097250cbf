"""Pictures with known text, rendered by the tests with Pillow and Debian's DejaVu and Liberation fonts: what the
OCR analyzer must read, in several fonts, sizes, rotations and languages."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype")
SANS = FONTS / "dejavu" / "DejaVuSans.ttf"
SERIF = FONTS / "liberation" / "LiberationSerif-Regular.ttf"
MONO = FONTS / "liberation" / "LiberationMono-Regular.ttf"
BOLD = FONTS / "dejavu" / "DejaVuSans-Bold.ttf"


def page(
    lines: list[str],
    *,
    font: Path = SANS,
    size: int = 40,
    canvas: tuple[int, int] = (1200, 900),
    background: tuple[int, int, int] = (255, 255, 255),
    ink: tuple[int, int, int] = (20, 20, 20),
) -> Image.Image:
    """Lines of text on a plain background, one below the other."""
    image = Image.new("RGB", canvas, background)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(str(font), size)
    for number, line in enumerate(lines):
        draw.text((size, size + number * int(size * 1.6)), line, fill=ink, font=face)
    return image


def chat_screenshot(messages: list[str], size: tuple[int, int] = (1080, 2340)) -> Image.Image:
    """A phone chat screenshot: a header bar, then speech bubbles with the messages, left and right."""
    image = Image.new("RGB", size, (236, 229, 221))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 180), fill=(7, 94, 84))
    header = ImageFont.truetype(str(BOLD), 48)
    draw.text((40, 60), "Anna", fill=(255, 255, 255), font=header)
    face = ImageFont.truetype(str(SANS), 40)
    top = 260
    for number, message in enumerate(messages):
        left = 40 if number % 2 == 0 else 300
        colour = (255, 255, 255) if number % 2 == 0 else (220, 248, 198)
        draw.rounded_rectangle((left, top, left + 740, top + 100), radius=20, fill=colour)
        draw.text((left + 30, top + 25), message, fill=(0, 0, 0), font=face)
        top += 160
    return image


def sign_photo(text: str, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A 'photo' of a sign: a sign board, turned slightly, on a mottled background (a wall, foliage far off)."""
    import numpy as np

    rng = np.random.default_rng(7)
    mottled = rng.normal(110, 30, (size[1] // 40, size[0] // 40, 3)).clip(0, 255).astype("uint8")
    image = Image.fromarray(mottled).resize(size, Image.Resampling.BICUBIC)
    face = ImageFont.truetype(str(BOLD), 100)
    width = int(face.getlength(text)) + 100
    board = Image.new("RGBA", (width, 200), (245, 245, 240, 255))
    ImageDraw.Draw(board).text((50, 40), text, fill=(10, 40, 120, 255), font=face)
    board = board.rotate(3, expand=True, resample=Image.Resampling.BICUBIC)
    image.paste(board, (200, 450), board)
    return image
