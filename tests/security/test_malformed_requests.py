"""Malformed requests get a clear 4xx (JSON where the caller is a script), never a 500."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from data.schema import Role
from tests.security.test_auth import OVERVIEW_CALLBACK, csrf, new_client, sign_in

SLUG = "atlas-momentum"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def client(web):
    return new_client(web)


@pytest.fixture
def viewer(web):
    c = new_client(web)
    assert sign_in(c, web.emails[Role.VIEWER]).status_code == 302
    return c


@pytest.mark.parametrize(
    "path", [f"/api/v1/strategies/{SLUG}/performance", "/api/v1/benchmarks/SPY"]
)
@pytest.mark.parametrize("value", ["²", "١٠٠", "9" * 5000])
def test_api_max_points_takes_ascii_digits_only(viewer, path, value) -> None:
    response = viewer.get(path, query_string={"max_points": value})
    assert response.status_code == 400
    assert "max_points must be a whole number" in response.get_json()["error"]


@pytest.mark.parametrize(
    "path", [f"/api/v1/strategies/{SLUG}/performance", "/api/v1/benchmarks/SPY"]
)
@pytest.mark.parametrize("value", ["NaT", "nan"])
def test_api_dates_that_parse_to_no_date_are_400(viewer, path, value) -> None:
    response = viewer.get(path, query_string={"start": value})
    assert response.status_code == 400
    assert "start must be an ISO date" in response.get_json()["error"]


def test_api_preferences_nested_too_deeply_are_400(viewer) -> None:
    response = viewer.put("/api/v1/preferences", data=DEEP, content_type="application/json")
    assert response.status_code == 400 and "nests too deeply" in response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nonexistent", f"/api/v1/strategies/{SLUG}/performance/x", "/api/v1", "/api/v2/x"],
)
def test_api_unknown_paths_are_json_404s_not_the_page_shell(web, viewer, path) -> None:
    for method in ("GET", "POST"):
        response = viewer.open(path, method=method)
        assert response.status_code == 404, method
        assert response.get_json() == {"error": f"no API endpoint {method} {path}", "status": 404}
    assert new_client(web).get(path).status_code == 401  # strangers learn nothing more


def test_api_wrong_method_on_a_known_path_is_a_json_405(viewer) -> None:
    response = viewer.delete("/api/v1/preferences")
    assert response.status_code == 405 and response.get_json()["status"] == 405
    assert response.headers["Allow"] == "GET, PUT"


@pytest.mark.parametrize("path", ["/loginx", "/healthzz", "/favicon.icox"])
def test_public_paths_match_whole_segments(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")


@pytest.mark.parametrize(
    "path",
    [
        "/login/../api/v1/strategies",
        "/assets/./x/../../app/settings.py",
        "/_dash-component-suites/..%2f..%2fapp%2fsettings.py",
    ],
)
def test_paths_with_dot_segments_are_404(web, viewer, path) -> None:
    for caller in (new_client(web), viewer):
        response = caller.get(path)
        assert response.status_code == 404 and response.get_json()["status"] == 404


def test_component_suite_files_dash_does_not_serve_are_404(client) -> None:
    response = client.get("/_dash-component-suites/app/settings.py")
    assert response.status_code == 404 and response.get_json()["error"] == "no such file"


def test_login_csrf_token_with_non_ascii_characters_is_400(client, web) -> None:
    csrf(client)  # the session has a token; the form sends another
    sent = {"email": web.emails[Role.VIEWER], "password": "x", "csrf_token": "é"}
    response = client.post("/login", data=sent)
    assert response.status_code == 400 and "the form expired" in response.get_data(as_text=True)


def _overview(**changes) -> dict:
    body = copy.deepcopy(OVERVIEW_CALLBACK)
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "a callback request is a JSON object"),
        ("not json", "a callback request is a JSON object"),
        (DEEP, "nests too deeply"),
        ({}, "no server callback draws that output"),
        (_overview(output="nope.children"), "no server callback draws that output"),
        (_overview(output="overview-query.data"), "no server callback"),  # a clientside one
        (_overview(inputs=OVERVIEW_CALLBACK["inputs"][:2]), "the inputs are not"),
        (_overview(inputs=list(reversed(OVERVIEW_CALLBACK["inputs"]))), "the inputs are not"),
        (_overview(inputs=[1, 2, 3, 4, 5]), "the inputs are not"),
        (_overview(state=[]), "the state are not"),
        (_overview(outputs={"id": "overview-table", "property": "children"}), "the outputs"),
        (_overview(changedPropIds="overview-tag.value"), "changedPropIds is a list"),
    ],
)
def test_malformed_callback_bodies_are_json_400s(viewer, body, fragment) -> None:
    if isinstance(body, str):
        response = viewer.post(
            "/_dash-update-component", data=body, content_type="application/json"
        )
    else:
        response = viewer.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert fragment in response.get_json()["error"]


def test_an_import_refused_only_once_chained_onto_stored_points_is_422(web) -> None:
    analyst = new_client(web)
    assert sign_in(analyst, web.emails[Role.ANALYST]).status_code == 302
    url = f"/api/v1/strategies/{SLUG}/performance?source=paper"
    before = analyst.get(url).get_json()
    # one row, fine on its own; chained onto the stored equity it is a +10,000,000% day
    later = analyst.post(url, data=b"date,equity\n2031-03-03,1e9\n", content_type="text/csv")
    assert later.status_code == 422 and later.get_json()["error"].startswith("import refused")
    assert "implausible" in " ".join(later.get_json()["problems"])
    assert analyst.get(url).get_json() == before


def test_an_upload_over_the_row_limit_is_refused_before_its_rows_are_checked(
    web, monkeypatch
) -> None:
    monkeypatch.setattr(
        web.store, "settings", dataclasses.replace(web.store.settings, max_upload_rows=3)
    )
    analyst = new_client(web)
    assert sign_in(analyst, web.emails[Role.ANALYST]).status_code == 302
    url = f"/api/v1/strategies/{SLUG}/performance?source=paper"
    rows = "".join(f"2031-04-0{d},oops\n" for d in range(1, 5))  # bad too, but not looked at
    refused = analyst.post(url, data=f"date,equity\n{rows}".encode(), content_type="text/csv")
    assert refused.status_code == 422
    assert refused.get_json()["problems"] == [
        "upload.csv: 4 rows is over the 3 rows limit of one upload"
    ]


def test_a_parquet_upload_over_the_row_limit_is_refused_from_its_footer(web, monkeypatch) -> None:
    import pandas as pd

    monkeypatch.setattr(
        web.store, "settings", dataclasses.replace(web.store.settings, max_upload_rows=3)
    )
    frame = pd.DataFrame({"date": pd.bdate_range("2031-05-01", periods=4), "equity": 1.0})
    analyst = new_client(web)
    assert sign_in(analyst, web.emails[Role.ANALYST]).status_code == 302
    refused = analyst.post(
        f"/api/v1/strategies/{SLUG}/performance?source=paper",
        data=frame.to_parquet(),
        content_type="application/vnd.apache.parquet",
    )
    assert refused.status_code == 422
    assert refused.get_json()["problems"] == [
        "upload.parquet: 4 rows is over the 3 rows limit of one upload"
    ]
