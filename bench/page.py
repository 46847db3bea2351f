"""How large a review page grows, and whether a browser renders it: a report of N backup
photos (default 10,000), every one `missing` or `similar` with its library match, so that each
needs one or two thumbnails (the worst case for the page's size).

    python -m bench.page [--items 10000]

Prints the page's size, the time to make it, and (where Debian's chromium and chromedriver
are installed) the time Chromium takes to load it and how many pictures it decoded.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from reconcile.filetypes import Kind
from reconcile.media.thumbs import thumbnails
from reconcile.output.page import to_html
from reconcile.output.text import printable
from reconcile.results import ItemResult, Report, Status, folders
from tests.browser import CHROMIUM, DRIVER, chromium


def _photos(folder: Path, count: int) -> list[Path]:
    """`count` distinct 1600 x 1200 JPEGs (noise over gradients: thumbnails that do not
    compress away)."""
    rng = np.random.default_rng(1)
    base = cv2.resize(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8), (1600, 1200))
    paths = []
    for number in range(count):
        picture = np.roll(base, number * 7, axis=1) ^ np.uint8(number % 251)
        path = folder / f"{number // 100:03d}" / f"IMG_{number:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "needles"
        library = Path(tmp) / "library"
        started = time.perf_counter()
        needles = _photos(root, args.items)
        matches = _photos(library, args.items // 2)
        print(f"made {len(needles) + len(matches)} photos in {time.perf_counter() - started:.0f} s")
        images = [
            ItemResult(
                root=str(root),
                path=str(path.relative_to(root)),
                status=Status.SIMILAR if number % 2 else Status.MISSING,
                match=str(matches[number // 2]) if number % 2 else None,
                reason="brighter" if number % 2 else "nothing close in the library",
                kind=Kind.IMAGE,
            )
            for number, path in enumerate(needles)
        ]
        report = Report(
            haystack=(str(library),),
            needles=(str(root),),
            items=tuple(images),
            folders=folders(images),
            skipped=0,
            seconds=0.0,
        )
        started = time.perf_counter()
        page = to_html(report, thumbnails, printable=printable)
        made = time.perf_counter() - started
        out = Path(tmp) / "report.html"
        out.write_text(page)
        size = out.stat().st_size
        print(f"{args.items} items, {args.items * 3 // 2} thumbnails: page {size / 1e6:.1f} MB "
              f"(target < 50 MB), made in {made:.0f} s")  # fmt: skip
        _render(out)


def _render(page: Path) -> None:
    if CHROMIUM is None or DRIVER is None:
        print("rendering not measured: chromium and chromedriver are not installed")
        return
    with chromium() as browser:
        browser.set_page_load_timeout(600)
        started = time.perf_counter()
        browser.get(page.as_uri())
        loaded = time.perf_counter() - started
        items = browser.execute_script("return document.querySelectorAll('.item').length")
        browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        decoded = browser.execute_script(
            "return [...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
        )
        print(f"Chromium: loaded in {loaded:.1f} s, {items} items on the page, {decoded} pictures "
              "decoded so far (the rest load as they are scrolled to)")  # fmt: skip


if __name__ == "__main__":
    main()
