"""Reading printed PDFs the way paper is read: rendered to pixels and scanned (pdftoppm,
zbarimg, Pillow), or as poppler's words with their boxes (pdftotext -bbox)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

MM_PER_INCH = 25.4


def zbarimg() -> str:
    """The path of zbarimg; missing is a failure as root (make test installs zbar-tools)."""
    path = shutil.which("zbarimg")
    if path:
        return path
    if os.geteuid() == 0:
        pytest.fail("zbarimg is missing: install zbar-tools (make test does, as root)")
    pytest.skip("needs zbarimg (Debian package zbar-tools; make test installs it as root)")


def render(pdf: Path, out: Path, dpi: int, *, gray: bool = False) -> list[Path]:
    """Every page of `pdf` as a PNG at `dpi`, in page order."""
    out.mkdir(parents=True, exist_ok=True)
    args = ["pdftoppm", "-r", str(dpi), "-png", *(["-gray"] if gray else []), str(pdf)]
    subprocess.run([*args, str(out / "page")], check=True, capture_output=True)
    pages = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert pages, pdf
    return pages


def decode_qr(png: Path) -> list[str]:
    """The QR codes zbarimg reads in one image (an empty list: none)."""
    done = subprocess.run(
        [zbarimg(), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 4), done.stderr  # 4: no symbol found
    return done.stdout.split()


def tick_boxes_mm(png: Path, dpi: int) -> list[float]:
    """The side (mm, outer edge) of every empty square outline 2 to 15 mm across.

    A square is a dark run along its top row with dark runs of the same length down both
    sides and along the bottom, and nothing dark inside: a drawn tick box or a ☐ glyph, but
    not a table cell with writing in it, nor a QR code's finder pattern (filled middle).
    """
    image = Image.open(png).convert("L")
    width, height = image.size
    dark = image.point(lambda v: 1 if v < 128 else 0).tobytes()
    per_mm = dpi / MM_PER_INCH
    shortest, longest = round(2 * per_mm), round(15 * per_mm)

    def at(x: int, y: int) -> bool:
        return 0 <= x < width and 0 <= y < height and dark[y * width + x] == 1

    def run_down(x: int, y: int) -> int:
        n = 0
        while at(x, y + n):
            n += 1
        return n

    sides = []
    for y in range(1, height):
        row = dark[y * width : (y + 1) * width]
        for match in re.finditer(b"\x01+", row):
            x0, x1 = match.start(), match.end() - 1
            side = x1 - x0 + 1
            if not shortest <= side <= longest:
                continue
            if sum(at(x, y - 1) for x in range(x0, x1 + 1)) > side // 4:
                continue  # not the top row of the outline
            left, right = run_down(x0 + 1, y), run_down(x1 - 1, y)
            if abs(left - side) > 2 or abs(right - side) > 2:
                continue
            bottom = y + min(left, right) - 1
            if sum(at(x, bottom) for x in range(x0, x1 + 1)) < side * 0.9:
                continue
            inset = max(3, round(0.6 * per_mm))
            inside = any(
                at(x, yy)
                for yy in range(y + inset, bottom - inset + 1)
                for x in range(x0 + inset, x1 - inset + 1)
            )
            if not inside:
                sides.append(side / per_mm)
    return sides


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x: float
    y: float
    height: float


def words(pdf: Path) -> list[Word]:
    """Every word poppler finds, with its page and the top left corner of its box."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    found = []
    for page, body in enumerate(re.findall(r"<page[^>]*>(.*?)</page>", out, re.S), start=1):
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            x, y, y2 = float(m[1]), float(m[2]), float(m[3])
            found.append(Word(page, html.unescape(m[4]), x, y, y2 - y))
    return found


def broken_words(all_words: list[Word], wanted: set[str]) -> list[str]:
    """Words of `wanted` printed broken over lines: "Organisati" with "on" right under it."""
    broken = []
    for first in all_words:
        for word in wanted:
            if first.text == word or not word.startswith(first.text):
                continue
            so_far, last = first.text, first
            while so_far != word:
                below = [
                    w
                    for w in all_words
                    if w.page == last.page
                    and abs(w.x - first.x) < 1.5
                    and 0 < w.y - last.y < 2.5 * last.height
                    and word.startswith(so_far + w.text)
                ]
                if not below:
                    break
                last = min(below, key=lambda w: w.y)
                so_far += last.text
            if so_far == word:
                broken.append(f"page {first.page}: {word!r} broken after {first.text!r}")
    return broken
