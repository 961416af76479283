"""Guessing at sign-in: a rate per address (a sliding minute), lockouts per address and per
account that lapse, and every attempt costing one password hash."""

from __future__ import annotations

import datetime as dt
import time
import types

from app import login
from data import users
from data.schema import Role, utcnow
from tests.security.test_auth import PASSWORD, audit_actions, new_client, sign_in

TURN = 1_800_000_000.0  # a minute's turn (divisible by 60)


def test_a_burst_across_a_minutes_turn_is_still_limited(web, monkeypatch) -> None:
    clock = types.SimpleNamespace(now=TURN - 1.0)
    monkeypatch.setattr(login, "time", types.SimpleNamespace(time=lambda: clock.now))
    c = new_client(web)
    burst = [sign_in(c, "nobody@example.com", "guess").status_code for _ in range(login.PER_MINUTE)]
    assert burst == [200] * login.PER_MINUTE
    clock.now = TURN + 1.0  # a fixed window would start a fresh count of 20 here
    assert sign_in(c, "nobody@example.com", "guess").status_code == 429
    clock.now = TURN + 59.0 + 60.0  # two minutes on, the burst has slid out of the window
    assert sign_in(c, "nobody@example.com", "guess").status_code == 200


def test_an_address_lockout_lapses_after_its_time(web, monkeypatch) -> None:
    monkeypatch.setattr(users, "LOCKOUT", dt.timedelta(seconds=4))  # ample between tries
    with web.store.db.transaction() as session:
        users.create_user(session, "lapse@example.com", Role.VIEWER, PASSWORD)
    c = new_client(web)
    for _ in range(users.MAX_FAILURES):
        sign_in(c, "lapse@example.com", "guess")
    assert sign_in(c, "lapse@example.com", PASSWORD).status_code == 200  # locked here
    time.sleep(5.5)  # the cache's expiry has whole seconds
    assert sign_in(c, "lapse@example.com", PASSWORD).status_code == 302


def test_repeated_failures_lock_the_account_and_are_audited(web) -> None:
    with web.store.db.transaction() as session:
        users.create_user(session, "locked@example.com", Role.TRADER, PASSWORD)
    c = new_client(web)
    for _ in range(users.MAX_FAILURES):
        page = sign_in(c, "locked@example.com", "guess").get_data(as_text=True)
        assert "Wrong email or password" in page
    locked = sign_in(c, "locked@example.com", PASSWORD)  # even the right password, for now
    assert locked.status_code == 200 and "Wrong email or password" in locked.get_data(as_text=True)
    failures = [e for e in audit_actions(web, "sign-in-failed") if e.actor == "locked@example.com"]
    reasons = [e.detail.get("reason") for e in failures]
    assert reasons == ["password"] * users.MAX_FAILURES + ["locked"]
    # a stranger cannot tell a locked account from a missing one: the pages are the same
    ghost = [sign_in(c, "nobody@example.com", "guess") for _ in range(users.MAX_FAILURES + 1)]
    pages = {p.get_data(as_text=True).replace("nobody@", "locked@") for p in ghost[-1:]}
    assert pages == {locked.get_data(as_text=True)}
    # the lock holds for the guessing address only: the owner still signs in from their own
    owner = new_client(web)
    assert sign_in(owner, "locked@example.com", PASSWORD).status_code == 302


def test_guesses_from_many_addresses_lock_the_account_until_an_admin_enables_it(web) -> None:
    with web.store.db.transaction() as session:
        users.create_user(session, "spread@example.com", Role.VIEWER, PASSWORD)
    for _ in range(users.ACCOUNT_MAX_FAILURES // users.MAX_FAILURES):
        guesser = new_client(web)  # a fresh address each time, none locked out on its own
        for _ in range(users.MAX_FAILURES):
            sign_in(guesser, "spread@example.com", "guess")
    assert sign_in(new_client(web), "spread@example.com", PASSWORD).status_code == 200
    with web.store.db.transaction() as session:
        users.set_active(session, "spread@example.com", True)  # `stratwatch users enable`
    assert sign_in(new_client(web), "spread@example.com", PASSWORD).status_code == 302


def test_sign_in_takes_as_long_whatever_is_wrong(web, monkeypatch) -> None:
    # every attempt hashes exactly once: timing cannot tell a locked, disabled, password-less
    # or missing account from a wrong password
    with web.store.db.transaction() as session:
        users.create_user(session, "off@example.com", Role.VIEWER, PASSWORD)
        users.set_active(session, "off@example.com", False)
        users.create_user(session, "sso@example.com", Role.VIEWER, PASSWORD).password_hash = None
        users.create_user(session, "shut@example.com", Role.VIEWER, PASSWORD).locked_until = (
            utcnow() + users.LOCKOUT
        )  # locked for the account as a whole
        users.create_user(session, "here@example.com", Role.VIEWER, PASSWORD)
    c = new_client(web)
    for _ in range(users.MAX_FAILURES):
        sign_in(c, "here@example.com", "guess")  # now locked for this address
    hashed: list[int] = []
    real = users.check_password
    monkeypatch.setattr(users, "check_password", lambda *a: hashed.append(1) or real(*a))
    for email in ("off@", "sso@", "nobody@", "shut@", "here@", "here@"):
        before = len(hashed)
        assert sign_in(c, email + "example.com", "guess").status_code == 200
        assert len(hashed) == before + 1, email


def test_sign_in_attempts_are_rate_limited_per_address(web) -> None:
    c = new_client(web)
    statuses = [sign_in(c, "nobody@example.com", "guess").status_code for _ in range(25)]
    # 20 a minute, in a sliding window: a minute's turn mid-burst lets through at most a few
    # more (their share of the last minute has slid out), never a fresh 20
    assert statuses[:20] == [200] * 20 and statuses[-1] == 429
    assert (
        sign_in(new_client(web), web.emails[Role.VIEWER]).status_code == 302
    )  # other addresses unaffected
