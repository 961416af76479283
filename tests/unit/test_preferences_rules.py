"""The preferences document's rules: every field checked, every problem named, sizes bounded."""

from __future__ import annotations

import pytest

from data.preferences import DEFAULTS, PreferencesRefused, validate


def test_the_defaults_are_valid() -> None:
    assert validate(DEFAULTS) == DEFAULTS


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"theme": "neon"}, "theme", "must be one of light, dark"),
        ({"decimals": True}, "decimals", "whole number from 0 to 4"),
        ({"decimals": 9}, "decimals", "whole number from 0 to 4"),
        ({"benchmarks": []}, "benchmarks", "choose at least 1"),
        ({"benchmarks": ["SPY", "SPY"]}, "benchmarks", "must not repeat"),
        ({"benchmarks": ["X" * 17]}, "benchmarks", "1 to 16 printable"),
        ({"panels": ["equity", "nope"]}, "panels", "unknown: nope"),
        ({"overview_tags": ["t" * 65]}, "overview_tags", "1 to 64 printable"),
        ({"overview_tags": ["a\nb"]}, "overview_tags", "1 to 64 printable"),
        ({"overview_tags": [f"t{i}" for i in range(51)]}, "overview_tags", "too many"),
        ({"overview_tags": "momentum"}, "overview_tags", "list of names"),
        ({"colour": "red"}, "colour", "unknown preference"),
    ],
)
def test_each_bad_value_is_refused_by_name(changes, field, says) -> None:
    with pytest.raises(PreferencesRefused) as refused:
        validate(changes)
    assert says in refused.value.problems[field]


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(PreferencesRefused) as refused:
        validate({"theme": "neon", "decimals": -1, "overview_tags": ["x" * 900_000]})
    assert set(refused.value.problems) == {"theme", "decimals", "overview_tags"}


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(PreferencesRefused):
        validate(["theme", "dark"])  # type: ignore[arg-type]
