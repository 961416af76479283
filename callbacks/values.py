"""Checks on the values callbacks receive: a hand-made request can send any JSON as a control's."""

from __future__ import annotations


def is_text(value: object) -> bool:
    """None or a string: a dropdown, text box or date picker's value."""
    return value is None or isinstance(value, str)


def is_texts(value: object) -> bool:
    """None or a list of strings: a multi-select or checklist's value."""
    return value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value))
