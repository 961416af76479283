"""The analyst pages in headless Chromium against the real app: tearsheet, presets, URL state."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from data import preferences, users
from data.schema import Role
from tests.browser.conftest import ARTIFACTS, new_chromium, severe_console_messages, sign_in
from tests.web import PASSWORD

SLUG = "atlas-momentum"
LIGHT = {"theme": "light", "decimals": 2}
PLOTTED_RANGE = """
const data = document.getElementById(arguments[0]).querySelector('.js-plotly-plot').data;
const x = data[0].x; return [x[0], x[x.length - 1]];
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A Chromium of this module's own, so the shared one reaches test_shell untouched."""
    driver = new_chromium(tmp_path_factory.mktemp("chromium-pages"))
    yield driver
    driver.quit()


def settle(browser) -> None:
    """Leave the page and let its in-flight callbacks finish: a late response re-sets the cookie."""
    browser.get("about:blank")
    time.sleep(1.5)


@pytest.fixture
def signed_in(browser, web):
    """Signed in as the analyst here (the shared fixture's session may be signed out by others)."""
    settle(browser)
    browser.get(web.base + "/login")
    browser.delete_all_cookies()
    sign_in(browser, web.base, web.emails[Role.ANALYST], PASSWORD)
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "overview-table")))
    browser.get_log("browser")  # start each test with an empty console
    return browser


def wait_for_chart(browser, graph_id: str, timeout: int = 30) -> None:
    WebDriverWait(browser, timeout).until(
        lambda b: b.execute_script(
            "const p = document.getElementById(arguments[0])?.querySelector('.js-plotly-plot');"
            "return !!(p && p.data && p.data.length)",
            graph_id,
        )
    )


def plotted_days(browser, graph_id: str) -> int:
    first, last = browser.execute_script(PLOTTED_RANGE, graph_id)
    return (pd.Timestamp(last) - pd.Timestamp(first)).days


def test_a_click_on_the_overview_opens_the_tearsheet(signed_in, web) -> None:
    signed_in.get(web.base + "/")
    link = WebDriverWait(signed_in, 30).until(
        ec.element_to_be_clickable(
            (By.CSS_SELECTOR, f"#overview-table a[href='/strategies/{SLUG}']")
        )
    )
    link.click()
    wait_for_chart(signed_in, "strategy-equity")
    assert signed_in.current_url.split("?")[0].endswith(f"/strategies/{SLUG}")
    for graph in ("strategy-drawdown", "strategy-rolling", "strategy-monthly", "strategy-yearly"):
        wait_for_chart(signed_in, graph)
    WebDriverWait(signed_in, 60).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#strategy-comparison .sw-verdict"))
    )
    term = "#strategy-metrics .sw-term[title]"
    WebDriverWait(signed_in, 30).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, term)) > 60)
    terms = signed_in.find_elements(By.CSS_SELECTOR, term)
    assert all(t.get_attribute("title") for t in terms[:5])
    WebDriverWait(signed_in, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#strategy-trades .ag-row"))
    )
    signed_in.save_screenshot(str(ARTIFACTS / "strategy.png"))
    assert severe_console_messages(signed_in) == []


def test_a_preset_changes_the_plotted_range_and_the_url(signed_in, web) -> None:
    signed_in.get(web.base + f"/strategies/{SLUG}?source=backtest")
    wait_for_chart(signed_in, "strategy-equity")
    assert 330 < plotted_days(signed_in, "strategy-equity") <= 366  # the default: 1Y
    WebDriverWait(signed_in, 20).until(  # the chosen one shows
        lambda b: preset_shade(b, "1Y") != preset_shade(b, "5Y")
    )
    signed_in.find_element(By.XPATH, "//label[normalize-space()='3M']").click()
    WebDriverWait(signed_in, 30).until(lambda b: plotted_days(b, "strategy-equity") < 100)
    WebDriverWait(signed_in, 10).until(lambda b: "range=3M" in b.current_url)
    assert "source=backtest" in signed_in.current_url
    assert severe_console_messages(signed_in) == []


def preset_shade(browser, label: str) -> str:
    button = f"//label[normalize-space()='{label}']//*[contains(concat(' ', @class, ' '), ' btn ')]"
    return browser.find_element(By.XPATH, button).value_of_css_property("background-color")


def test_a_shared_link_reproduces_the_view(signed_in, web) -> None:
    signed_in.get(web.base + f"/strategies/{SLUG}?range=All&log=1&source=backtest")
    wait_for_chart(signed_in, "strategy-equity")
    scale = "return document.querySelector('#strategy-equity .js-plotly-plot').layout.yaxis.type"
    WebDriverWait(signed_in, 30).until(
        lambda b: plotted_days(b, "strategy-equity") > 1000 and b.execute_script(scale) == "log"
    )


def test_an_unknown_strategy_is_not_found(signed_in, web) -> None:
    signed_in.get(web.base + "/strategies/no-such-thing")
    WebDriverWait(signed_in, 20).until(
        ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "Strategy not found")
    )
    assert severe_console_messages(signed_in) == []


def test_settings_persist_across_a_reload_and_a_second_session(browser, web) -> None:
    email = web.emails[Role.TRADER]
    try:
        settle(browser)
        browser.get(web.base + "/login")
        browser.delete_all_cookies()
        sign_in(browser, web.base, email, PASSWORD)
        WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "overview-table")))
        browser.get(web.base + "/settings")
        WebDriverWait(browser, 20).until(ec.element_to_be_clickable((By.ID, "settings-theme")))
        browser.find_element(By.XPATH, "//label[normalize-space()='Dark']").click()
        WebDriverWait(browser, 20).until(
            ec.text_to_be_present_in_element((By.ID, "settings-status"), "Saved.")
        )
        WebDriverWait(browser, 20).until(lambda b: document_theme(b) == "dark")
        decimals = browser.find_element(By.ID, "settings-decimals")
        decimals.send_keys(Keys.BACKSPACE, "9")
        WebDriverWait(browser, 20).until(
            ec.text_to_be_present_in_element((By.ID, "settings-status"), "decimals")
        )
        browser.save_screenshot(str(ARTIFACTS / "settings.png"))
        browser.refresh()
        WebDriverWait(browser, 20).until(lambda b: document_theme(b) == "dark")
        WebDriverWait(browser, 20).until(  # the refused 9 was not kept; the form draws after
            lambda b: b.find_element(By.ID, "settings-decimals").get_attribute("value") == "2"
        )
        browser.delete_all_cookies()  # a second session: nothing kept in the browser
        settle(browser)
        sign_in(browser, web.base, email, PASSWORD)
        WebDriverWait(browser, 30).until(lambda b: document_theme(b) == "dark")
        WebDriverWait(browser, 30).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "#overview-table tbody tr"))
        )
        browser.save_screenshot(str(ARTIFACTS / "overview-dark.png"))
        assert severe_console_messages(browser) == []
    finally:
        web.store.write(
            lambda session: preferences.save(session, users.find(session, email).id, LIGHT)
        )


def test_the_admin_sees_the_audit_log(browser, web) -> None:
    settle(browser)
    browser.get(web.base + "/login")
    browser.delete_all_cookies()
    sign_in(browser, web.base, web.emails[Role.ADMIN], PASSWORD)
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "overview-table")))
    browser.get_log("browser")
    browser.get(web.base + "/admin/audit")
    WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#audit-table tbody tr"))
    )
    assert "sign-in" in browser.find_element(By.ID, "audit-table").text
    browser.save_screenshot(str(ARTIFACTS / "admin-audit.png"))
    assert severe_console_messages(browser) == []


def document_theme(browser) -> str | None:
    return browser.execute_script("return document.documentElement.getAttribute('data-theme')")


def test_the_compare_page_adds_a_benchmark(signed_in, web) -> None:
    signed_in.get(web.base + f"/compare?s={SLUG}&b=SPY&range=All")
    wait_for_chart(signed_in, "compare-chart")
    names = "return document.querySelector('#compare-chart .js-plotly-plot').data.map(t => t.name)"
    WebDriverWait(signed_in, 20).until(
        lambda b: b.execute_script(names) == ["Atlas Momentum", "SPY"]
    )
    signed_in.find_element(By.ID, "compare-benchmarks").click()
    option = "//*[(@role='option' or contains(@class, 'option')) and normalize-space()='60/40']"
    WebDriverWait(signed_in, 10).until(ec.element_to_be_clickable((By.XPATH, option))).click()
    WebDriverWait(signed_in, 30).until(lambda b: "60/40" in b.execute_script(names))
    WebDriverWait(signed_in, 10).until(lambda b: "b=SPY%2C60%2F40" in b.current_url)
    wait_for_chart(signed_in, "compare-correlation")
    WebDriverWait(signed_in, 30).until(
        lambda b: {"▲", "▼"} & set(b.find_element(By.ID, "compare-relative").text)
    )
    signed_in.save_screenshot(str(ARTIFACTS / "compare.png"))
    assert severe_console_messages(signed_in) == []


def test_the_last_comparison_comes_back_on_a_later_visit(signed_in, web) -> None:
    signed_in.execute_script("window.localStorage.clear()")
    signed_in.get(web.base + "/compare")
    wait_for_chart(signed_in, "compare-chart")
    signed_in.find_element(By.ID, "compare-strategies").click()
    option = (
        "//*[(@role='option' or contains(@class, 'option'))"
        " and normalize-space()='Borealis Mean Reversion']"
    )
    WebDriverWait(signed_in, 10).until(ec.element_to_be_clickable((By.XPATH, option))).click()
    names = (
        "const p = document.querySelector('#compare-chart .js-plotly-plot');"
        "return p && p.data ? p.data.map(t => t.name) : []"
    )
    WebDriverWait(signed_in, 30).until(
        lambda b: "Borealis Mean Reversion" in b.execute_script(names)
    )
    signed_in.get(web.base + "/")
    signed_in.get(web.base + "/compare")  # no link: the browser remembers the last choice
    WebDriverWait(signed_in, 30).until(
        lambda b: "Borealis Mean Reversion" in b.execute_script(names)
    )
    signed_in.get(web.base + f"/compare?s={SLUG}")  # a link wins over what was remembered
    WebDriverWait(signed_in, 30).until(lambda b: b.execute_script(names)[:1] == ["Atlas Momentum"])
    assert "Borealis Mean Reversion" not in signed_in.execute_script(names)
    signed_in.execute_script("window.localStorage.clear()")
