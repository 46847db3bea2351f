"""The HTML review page, opened as a person would: in a real (headless) Chromium, driven by
Selenium. Debian's chromium and chromium-driver are installed by .ci/run; without them the
browser tests skip, saying so."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from browser import CHROMIUM, DRIVER, chromium
from conftest import REPO, SAMPLE, run_cli, scene, write

from reconcile import reconcile
from reconcile.media.thumbs import thumbnails
from reconcile.output.page import to_html
from reconcile.output.text import printable

SAMPLE_ARGS = ("--haystack", "sample_data/haystack", "--needles", "sample_data/needles")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver; .ci/run installs them)",
)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    pytest.importorskip("selenium.webdriver")
    with chromium() as driver:
        yield driver


def _page(tmp_path: Path, *args: str) -> Path:
    result = run_cli(tmp_path, *args, "--format", "html")
    assert result.returncode in (0, 1), result.stderr
    page = tmp_path / "report.html"
    page.write_text(result.stdout)
    return page


def _visible(browser, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".filter(e => e.offsetParent !== null).map(e => e.dataset.path)",
        selector,
    )


@needs_browser
def test_the_sample_review_page_in_a_browser(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """Every picture on the page has loaded; the items per status are the JSON report's; the
    status filter hides exactly those items; the folder filter keeps one folder. Saves a
    screenshot (REVIEW_SCREENSHOT=path also keeps one there, for the README)."""
    page = _page(tmp_path, *SAMPLE_ARGS)
    report = json.loads(run_cli(tmp_path, *SAMPLE_ARGS, "--format", "json").stdout)
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(page.as_uri())
    # The page loads pictures lazily (a long page would otherwise decode them all at once);
    # the test wants every one, so it asks for them all and waits until each has decoded (a
    # broken picture never does, and the wait fails).
    browser.execute_script("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    loaded = "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    WebDriverWait(browser, 30).until(lambda b: b.execute_script(loaded))
    assert browser.execute_script("return document.images.length") > 0
    on_page = browser.execute_script(
        "const n = {}; document.querySelectorAll('.item').forEach("
        "i => n[i.dataset.status] = (n[i.dataset.status] || 0) + 1); return n;"
    )
    statuses = ("identical", "same", "similar", "missing", "unreadable")
    assert on_page == {s: report["summary"][s] for s in statuses if report["summary"][s]}
    every = browser.execute_script(
        "return [...document.querySelectorAll('.item')].map(e => e.dataset.path)"
    )
    assert sorted(every) == sorted(os.path.join(i["root"], i["path"]) for i in report["images"])
    browser.find_element("css selector", 'input[data-filter="missing"]').click()
    shown = browser.execute_script(
        "return [...document.querySelectorAll('.item')].filter(e => e.offsetParent !== null)"
        ".map(e => e.dataset.status)"
    )
    assert "missing" not in shown and {"similar", "unreadable"} <= set(shown)
    browser.find_element("css selector", 'input[data-filter="missing"]').click()
    browser.find_element("css selector", "#folder-filter").send_keys("Edits")
    folders = browser.execute_script(
        "return [...document.querySelectorAll('.folder')].filter(e => e.offsetParent !== null)"
        ".map(e => e.dataset.folder)"
    )
    assert folders == ["Edits"]
    browser.find_element("css selector", "#folder-filter").clear()
    browser.execute_script("document.getElementById('folder-filter')"
                           ".dispatchEvent(new Event('input'))")  # fmt: skip
    shot = tmp_path / "review.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("REVIEW_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["REVIEW_SCREENSHOT"])


@needs_browser
def test_hostile_names_show_as_text_and_inject_nothing(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """Names with quotes, `<script>`, a newline and bytes that are not UTF-8 are shown as text:
    the page runs its one script only and every item is there."""
    hay = tmp_path / "hay"
    write(hay / "a.jpg", scene(1), 90)
    needles = tmp_path / "needles"
    names = ['<script>alert("x")<script>.jpg', '<img src=x onerror=alert(1)>.jpg',
             'quote"and\'apostrophe.jpg', "new\nline.jpg",
             os.fsdecode(b"caf\xe9 \xff.jpg")]  # fmt: skip
    for number, name in enumerate(names):
        write(needles / name, scene(100 + number), 80)
    page = _page(tmp_path, "--haystack", str(hay), "--needles", str(needles))
    text = page.read_text()
    assert "<script>alert" not in text
    browser.get(page.as_uri())
    # The page's own script, and its data (which a browser never runs).
    assert browser.execute_script("return document.scripts.length") == 2
    assert (
        browser.execute_script(
            "return document.querySelectorAll('script[type=\"application/json\"]').length"
        )
        == 1
    )
    files = browser.execute_script(
        "return [...document.querySelectorAll('.item .file')].map(e => e.textContent)"
    )
    assert sorted(files) == sorted(printable(name) for name in names)


def test_a_match_gone_since_indexing_shows_a_placeholder(tmp_path: Path) -> None:
    """The page is built from the files at report time: a library file deleted since the run
    shows a placeholder and "no longer on disk", not a broken page."""
    hay = tmp_path / "hay"
    photo = scene(7)
    gone = write(hay / "gone.jpg", photo, 92)
    needles = tmp_path / "needles"
    write(needles / "edit.jpg", (photo * 0.7).astype("uint8"), 85)  # darker: `similar`
    report = reconcile(haystack=[str(hay)], needles=[str(needles)], db=str(tmp_path / "i.db"))
    assert report.items[0].match == str(gone)
    gone.unlink()
    page = to_html(report, thumbnails, printable=printable)
    assert "cannot be shown (gone or unreadable)" in page and "no longer on disk" in page


def test_the_readme_shows_a_screenshot_of_the_page() -> None:
    """The README points at a screenshot of the sample's review page that exists."""
    readme = (REPO / "README.md").read_text()
    assert "](docs/review-page.png)" in readme
    assert (REPO / "docs/review-page.png").stat().st_size > 10_000
    assert SAMPLE.is_dir()


@needs_browser
def test_choices_made_on_the_page_are_recorded_and_the_folder_is_complete(
    tmp_path: Path,
) -> None:
    """As a person would: open the page, go through the Edits folder with the buttons and the
    keys, save, record the saved file with `decide --from`, check again: Edits is complete.
    A choice for a file changed since the page was made is refused, naming it."""
    pytest.importorskip("selenium.webdriver")
    shutil.copytree(SAMPLE / "haystack", tmp_path / "Library")
    shutil.copytree(SAMPLE / "needles", tmp_path / "Backup")
    args = ("--haystack", str(tmp_path / "Library"), "--needles", str(tmp_path / "Backup"))
    page = _page(tmp_path, *args)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium(download_to=str(downloads)) as browser:
        browser.get(page.as_uri())
        edits = str(tmp_path / "Backup" / "Edits")

        def item(name: str):  # type: ignore[no-untyped-def]
            return browser.find_element("css selector", f'.item[data-path="{edits}/{name}"]')

        # Only items that need work have buttons; an item without a match has only one.
        assert not browser.find_elements("css selector", ".item.identical button")
        broken = item("IMG_0002 broken.jpg")
        assert [b.text for b in broken.find_elements("css selector", "button")] == ["don't want"]
        item("IMG_0311 burst.jpg").find_element("css selector", '[data-choice="same"]').click()
        # Clicking a choice again takes it back; then the keys: d, then s on the same item.
        brighter = item("rocket brighter.jpg")
        brighter.find_element("css selector", '[data-choice="different"]').click()
        brighter.find_element("css selector", '[data-choice="different"]').click()
        assert brighter.get_attribute("data-chosen") is None
        brighter.find_element("css selector", '[data-choice="unwanted"]').click()
        body = browser.find_element("css selector", "body")
        body.send_keys("x")  # clears the current item's choice
        body.send_keys("s")
        assert "chosen: same" in brighter.text
        broken.find_element("css selector", '[data-choice="unwanted"]').click()
        assert "chosen: don't want" in broken.text
        save = browser.find_element("css selector", "#save")
        assert save.text == "Save 3 choices"
        shot = tmp_path / "choices.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        if os.environ.get("CHOICES_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["CHOICES_SCREENSHOT"])
        save.click()
        saved = downloads / "reconcile-decisions.json"
        for _ in range(100):
            if saved.exists() and saved.stat().st_size:
                break
            time.sleep(0.05)
        data = json.loads(saved.read_text())
    assert sorted((Path(c["path"]).name, c["choice"]) for c in data["choices"]) == [
        ("IMG_0002 broken.jpg", "unwanted"), ("IMG_0311 burst.jpg", "same"),
        ("rocket brighter.jpg", "same"),
    ]  # fmt: skip
    recorded = run_cli(tmp_path, "decide", "--from", str(saved))
    assert recorded.returncode == 0, recorded.stderr
    report = json.loads(run_cli(tmp_path, *args, "--format", "json").stdout)
    edits_folder = next(d for d in report["directories"] if d["path"] == "Edits")
    assert edits_folder["status"] == "complete"
    # The page, made again, shows what was decided.
    again = _page(tmp_path, *args).read_text()
    assert again.count('class="decided"') == 3

    # A file changed since the page was made: its choice is refused, by name.
    burst = tmp_path / "Backup" / "Edits" / "IMG_0311 burst.jpg"
    write(burst, scene(91, 300, 450))
    run_cli(tmp_path, *args, "--format", "json")
    refused = run_cli(tmp_path, "decide", "--from", str(saved))
    assert refused.returncode == 1
    assert f"{burst}: changed since the page was made" in refused.stderr


@needs_browser
def test_the_dupes_page_shows_each_group_side_by_side(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """`dupes --format html` in Chromium: one section per group with every file's picture
    loaded, the keep marked, the copies the ones `--format paths` lists."""
    from selenium.webdriver.support.ui import WebDriverWait

    lib = tmp_path / "Library"
    shutil.copytree(SAMPLE / "haystack", lib)
    shutil.copy(lib / "2010/03/02/IMG_0310.jpg", lib / "2010/copy of IMG_0310.jpg")
    args = ("dupes", "--haystack", str(lib), "--db", str(tmp_path / "i.sqlite"))
    page = tmp_path / "dupes.html"
    page.write_text(run_cli(tmp_path, *args, "--format", "html").stdout)
    copies = run_cli(tmp_path, *args, "--format", "paths").stdout.splitlines()
    browser.get(page.as_uri())
    browser.execute_script("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    loaded = "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    WebDriverWait(browser, 30).until(lambda b: b.execute_script(loaded))
    groups = browser.find_elements("css selector", "section.group[data-group]")
    assert len(groups) == 1
    shown = browser.execute_script(
        "return [...document.querySelectorAll('section.group[data-group] figure')]"
        ".map(f => [f.className, f.dataset.path])"
    )
    assert sorted(path for role, path in shown if role == "redundant") == sorted(copies)
    assert [role for role, _ in shown].count("keep") == 1
    assert browser.execute_script("return document.images.length") == 2
