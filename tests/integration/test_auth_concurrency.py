"""Throttles and single-use links hold under real parallel requests (threads against one app).

On PostgreSQL (TEST_DATABASE_URL) these run with true parallel transactions; on SQLite the
database serialises writers, and the same limits must still hold.
"""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select

from models import LoginAttempt, OutboxMessage, User
from tests.conftest import TEST_PASSWORD


def _in_parallel(count: int, request: Callable[[int], object]) -> list:
    """Run request(i) for i in range(count) in threads that start together; their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = request(i)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_forty_parallel_wrong_passwords_get_at_most_five_checks(app, make_user, session):
    user = make_user("member")

    def attempt(_i: int) -> int:
        response = app.test_client().post(
            "/auth/sign-in", data={"email": user.email, "password": "a wrong password"}
        )
        return response.status_code

    codes = _in_parallel(40, attempt)
    checked = session.scalar(select(func.count()).select_from(LoginAttempt))
    assert checked <= 5, f"{checked} passwords were checked"
    assert codes.count(429) >= 35, codes
    # And the account stays locked for the right password too.
    response = app.test_client().post(
        "/auth/sign-in", data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


def _reset_link(session, email: str) -> str:
    session.expire_all()
    body = session.scalars(
        select(OutboxMessage.body).where(OutboxMessage.recipient == email)
    ).first()
    return re.search(r"http://localhost(/auth/reset-password/\S+)", body).group(1)


def test_a_reset_link_used_by_eight_requests_at_once_works_once(app, make_user, session):
    user = make_user("member")
    app.test_client().post("/auth/reset-password", data={"email": user.email})
    link = _reset_link(session, user.email)

    def use(i: int) -> int:
        password = f"new password number {i}"
        response = app.test_client().post(
            link, data={"new_password": password, "confirm_password": password}
        )
        return response.status_code

    codes = _in_parallel(8, use)
    assert codes.count(302) == 1, codes
    assert codes.count(400) == 7, codes
    # The password that won is the one that works.
    winner = codes.index(302)
    session.expire_all()
    assert session.get(User, user.id) is not None
    response = app.test_client().post(
        "/auth/sign-in", data={"email": user.email, "password": f"new password number {winner}"}
    )
    assert response.status_code == 302


def test_reset_requests_take_the_same_time_whether_or_not_the_account_exists(app, make_user):
    app.config["PASSWORD_RESET_MAX_PER_EMAIL"] = 1000
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 1000
    user = make_user("member")
    client = app.test_client()

    def timed(email: str) -> float:
        start = time.perf_counter()
        response = client.post("/auth/reset-password", data={"email": email})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        return elapsed

    for _ in range(3):  # warm up both paths
        timed(user.email)
        timed("nobody@test.example")
    known, unknown = [], []
    for i in range(15):
        known.append(timed(user.email))
        unknown.append(timed(f"nobody{i}@test.example"))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    # Generous bounds: the two paths do the same work, so neither takes half as long again.
    assert abs(known_median - unknown_median) < 0.5 * max(known_median, unknown_median), (
        known_median,
        unknown_median,
    )
