"""Debian's Chromium, headless, driven by Selenium: for the review page's tests and bench/page.

The flags keep Chromium off the network (this machine has none but the package registries)."""

from __future__ import annotations

import shutil
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


def chromium(download_to: str | None = None) -> Any:
    """A headless Chromium session (the caller quits it); needs CHROMIUM and DRIVER.
    `download_to`: the folder downloads are saved in, without asking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in _FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    if download_to is not None:
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_to}
        )
    return driver
