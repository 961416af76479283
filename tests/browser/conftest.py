"""Headless Chromium driven by Selenium, against the session's real app (tests/web.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from data.schema import Role
from tests.conftest import unavailable
from tests.web import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def new_chromium(user_data_dir: Path) -> webdriver.Chrome:
    """Headless Chromium with no network chatter of its own; browser console logs kept."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = os.environ.get("SE_CHROMEDRIVER") or shutil.which("chromedriver")
    if not binary or not driver_path:
        unavailable("Chromium/chromedriver", "install the chromium and chromium-driver packages")
    options = Options()
    options.binary_location = binary
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1400,1000",
        f"--user-data-dir={user_data_dir}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return driver


def severe_console_messages(browser: webdriver.Chrome) -> list[str]:
    """Errors the page logged to the browser console since the last call."""
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """The session's shared Chromium."""
    driver = new_chromium(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


def sign_in(browser: webdriver.Chrome, base: str, email: str, password: str) -> None:
    """Fill the sign-in form like a person would."""
    browser.get(base + "/login")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    submit = browser.find_element(By.CSS_SELECTOR, "button[type=submit]")
    submit.click()
    # The form posts and the server answers with a new page: wait for it, so that what
    # the caller looks for next is on the answer, not on the form it just left.
    WebDriverWait(browser, 30).until(ec.staleness_of(submit))


@pytest.fixture(scope="session")
def signed_in(browser: webdriver.Chrome, web) -> webdriver.Chrome:
    """The browser, signed in as the analyst."""
    sign_in(browser, web.base, web.emails[Role.ANALYST], PASSWORD)
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "overview-table")))
    return browser
