"""Member imports read files as streams: memory stays bounded and problems are capped."""

from __future__ import annotations

import gc
import io
import tracemalloc

from tests.integration.test_member_csv import GOOD_ROWS, HEADER

BAD_LINE = b"x," * 50 + b"\n"
"""101 values where the header names 12: one problem a line, 101 bytes."""


def bad_file(tmp_path, lines: int):
    path = tmp_path / f"bad-{lines}.csv"
    with path.open("wb") as out:
        out.write(HEADER.encode() + b"\n")
        out.write(BAD_LINE * lines)
    return path


def peak_preview_memory(app, uow, path) -> tuple[int, object]:
    from panels.register.member_csv import preview_import

    with app.app_context():
        gc.collect()
        tracemalloc.start()
        try:
            plan = preview_import(uow, path, update=False)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return peak, plan


def test_previewing_a_large_bad_file_uses_bounded_memory(app, uow, tmp_path):
    small_peak, small = peak_preview_memory(app, uow, bad_file(tmp_path, 25_000))
    large_peak, large = peak_preview_memory(app, uow, bad_file(tmp_path, 200_000))
    assert len(small.problems) == len(large.problems) == 500
    assert small.more_problems == large.more_problems == 9_500
    assert small.stopped_at == large.stopped_at == 10_001
    # The large file is 20 MB; reading it whole would take more than that.
    bound = 4 * 2**20
    assert large_peak < bound, f"previewing 200,000 bad lines peaked at {large_peak:,} bytes"
    # Eight times the rows, about the same memory: nothing grows with the file.
    assert large_peak < small_peak + 2**19, (small_peak, large_peak)


def test_previewing_many_rows_does_not_keep_them(app, uow, tmp_path):
    """A preview keeps no rows but the first few: of each good row only its email address."""

    def good_file(rows: int):
        path = tmp_path / f"good-{rows}.csv"
        with path.open("w", encoding="utf-8") as out:
            out.write(HEADER + "\n")
            for i in range(rows):
                out.write(
                    f"m{i}@example.org,Ann,Smith,1970-01-31,SW1A 1AA,Female,Indian,Vision,"
                    "yes,yes,yes,no\n"
                )
        return path

    small_peak, small = peak_preview_memory(app, uow, good_file(1_000))
    large_peak, large = peak_preview_memory(app, uow, good_file(6_000))
    assert (small.created, large.created) == (1_000, 6_000)
    # About 100 bytes a row for the email addresses (to find one given twice), not kilobytes.
    assert (large_peak - small_peak) / 5_000 < 300, (small_peak, large_peak)


def test_import_reads_bytes_a_path_or_a_binary_file_object(app, uow, tmp_path, session):
    from panels.register.member_csv import import_members, preview_import

    content = ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode()
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    with app.app_context():
        for source in (content, path, str(path), io.BytesIO(content)):
            plan = preview_import(uow, source, update=False)
            assert (plan.problems, plan.total, plan.created) == ((), 2, 2)
        result = import_members(uow, io.BytesIO(content), "members.csv")
    assert (result.rows, result.created) == (2, 2)


def test_progress_is_reported_while_checking_and_writing(app, uow, tmp_path):
    from panels.register.member_csv import import_members

    rows = [
        f"m{i}@example.org,M{i},Last,1970-01-01,SW1A 1AA,Female,Indian,,yes,yes,yes,no"
        for i in range(12_000)
    ]
    path = tmp_path / "many.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    with app.app_context():
        import_members(uow, path, "many.csv", progress=lambda *call: calls.append(call))
    phases = [phase for _, _, phase in calls]
    assert phases[0] == "Checking rows" and phases[-1] == "Adding members"
    assert {total for _, total, _ in calls} == {12_000}
    assert calls[-1] == (12_000, 12_000, "Adding members")
    checking = [done for done, _, phase in calls if phase == "Checking rows"]
    assert checking == sorted(checking) and len(checking) > 2
