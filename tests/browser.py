"""Debian's Chromium, headless, driven by Selenium: for the review page's tests and bench/page.

The flags keep Chromium off the network (this machine has none but the package registries).
Its profile and the socket folder it makes in TMPDIR live in a folder of the session's own,
removed with it: Chromium leaves that socket folder behind in /tmp after every session."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1500",
)


@contextlib.contextmanager
def chromium(download_to: str | None = None) -> Iterator[Any]:
    """A headless Chromium session, quit and cleaned up on leaving; needs CHROMIUM and
    DRIVER. `download_to`: the folder downloads are saved in, without asking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True) as scratch:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (*_FLAGS, f"--user-data-dir={scratch}/profile"):
            options.add_argument(flag)
        service = Service(DRIVER, env={**os.environ, "TMPDIR": scratch})
        driver = webdriver.Chrome(service=service, options=options)
        try:
            if download_to is not None:
                allowed = {"behavior": "allow", "downloadPath": download_to}
                driver.execute_cdp_cmd("Browser.setDownloadBehavior", allowed)
            yield driver
        finally:
            driver.quit()
