"""The real app in headless Chromium: sign-in, the overview lists the book, a 404, no console errors."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from data.schema import Role, Strategy
from data.writes import ensure_strategy
from tests.browser.conftest import ARTIFACTS, severe_console_messages, sign_in
from tests.web import PASSWORD

XSS = '<img src=x onerror="window.__pwned=1">'


def strategy_counts(web) -> dict[str, int]:
    with web.store.reading() as session:
        rows = session.execute(select(Strategy.stage, func.count()).group_by(Strategy.stage)).all()
    return {str(stage): count for stage, count in rows}


def table_rows(browser, count: int | None = None) -> list:
    wait = WebDriverWait(browser, 30)
    if count is None:
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#overview-table tbody tr")))
    else:
        wait.until(
            lambda b: len(b.find_elements(By.CSS_SELECTOR, "#overview-table tbody tr")) == count
        )
    return browser.find_elements(By.CSS_SELECTOR, "#overview-table tbody tr")


def test_sign_in_page_is_where_anonymous_visitors_land(browser, web) -> None:
    browser.delete_all_cookies()
    browser.get(web.base + "/")
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "password")))
    assert "/login" in browser.current_url
    browser.save_screenshot(str(ARTIFACTS / "sign-in.png"))
    sign_in(browser, web.base, web.emails[Role.VIEWER], "not the password")
    assert "Wrong email or password" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    sign_in(browser, web.base, web.emails[Role.VIEWER], PASSWORD)
    table_rows(browser)
    assert "viewer@example.com · viewer" in browser.find_element(By.TAG_NAME, "nav").text
    browser.find_element(By.XPATH, "//button[text()='Sign out']").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "password")))
    browser.get(web.base + "/")
    assert "/login" in browser.current_url
    assert severe_console_messages(browser) == []


def test_overview_lists_every_strategy_in_the_database(signed_in, web) -> None:
    signed_in.get(web.base + "/")
    expected = sum(strategy_counts(web).values())
    rows = table_rows(signed_in, expected)
    assert len(rows) == expected >= 24
    signed_in.save_screenshot(str(ARTIFACTS / "overview.png"))
    assert severe_console_messages(signed_in) == []


def test_overview_stage_filter_from_the_url(signed_in, web) -> None:
    signed_in.get(web.base + "/?stage=live")
    rows = table_rows(signed_in, strategy_counts(web)["live"])
    assert all("live" in row.text for row in rows)


def test_the_overview_view_lives_in_the_url(signed_in, web) -> None:
    counts = strategy_counts(web)
    signed_in.get(web.base + "/?stage=live,paper&sort=sharpe")
    rows = table_rows(signed_in, counts["live"] + counts["paper"])
    sharpes = [float(row.find_elements(By.TAG_NAME, "td")[9].text) for row in rows]
    assert sharpes == sorted(sharpes, reverse=True)
    search = signed_in.find_element(By.ID, "overview-search")
    search.send_keys(rows[0].find_element(By.TAG_NAME, "a").text)
    WebDriverWait(signed_in, 10).until(lambda b: "q=" in b.current_url)
    table_rows(signed_in, 1)
    shared = signed_in.current_url
    assert "stage=live%2Cpaper" in shared and "sort=sharpe" in shared
    signed_in.get(web.base + "/")  # the link, opened again, shows the same one row
    signed_in.get(shared)
    table_rows(signed_in, 1)


def test_overview_is_styled_from_local_assets(signed_in, web) -> None:
    signed_in.get(web.base + "/")
    table_rows(signed_in)
    sheets = signed_in.execute_script(
        "return [...document.styleSheets].map(s => s.href).filter(Boolean)"
    )
    assert sheets and all(href.startswith(web.base) for href in sheets)
    profit = signed_in.execute_script(
        "return getComputedStyle(document.documentElement).getPropertyValue('--colors-semantic-profit')"
    )
    assert profit.strip() == "#0f9d58"
    assert "system-ui" in signed_in.find_element(By.TAG_NAME, "body").value_of_css_property(
        "font-family"
    )


def test_a_strategy_name_with_markup_renders_as_text(signed_in, web) -> None:
    web.store.write(lambda s: ensure_strategy(s, "xss-probe", name=XSS, style="probe"))
    signed_in.get(web.base + "/?q=probe")
    rows = table_rows(signed_in, 1)
    assert XSS in rows[0].text
    assert signed_in.execute_script("return window.__pwned === undefined")
    assert signed_in.find_elements(By.CSS_SELECTOR, "#overview-table img") == []


def test_unknown_path_shows_the_not_found_page(signed_in, web) -> None:
    signed_in.get(web.base + "/no/such/page")
    WebDriverWait(signed_in, 20).until(
        ec.text_to_be_present_in_element((By.TAG_NAME, "main"), "Page not found")
    )
    signed_in.save_screenshot(str(ARTIFACTS / "not-found.png"))
    signed_in.find_element(By.LINK_TEXT, "Back to the overview").click()
    assert len(table_rows(signed_in)) >= 24
    assert severe_console_messages(signed_in) == []
