"""Coverage and data guards: months really covered, periods outside the data, tables that
lost their rows, and `workbench check` on hand-made exports (counts worked out by hand)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest

from workbench import load_dataset
from workbench.data.check import check_export
from workbench.data.coverage import (
    DataGuardError,
    latest_covered_month,
    monthly_coverage,
    period_coverage,
    row_losses,
)
from workbench.errors import ParameterError

DEALS_HEADER = "deal_id,manager,created_at,closed_at,outcome,amount"


def _deals(tmp_path, created: list[str], *, bad: int = 0):
    lines = [DEALS_HEADER]
    for i, when in enumerate(created):
        lines.append(f"d{i},Anna,{when},,open,")
    lines += [f"x{i},Anna,not a date,,open," for i in range(bad)]
    (tmp_path / "deals.csv").write_text("\n".join(lines) + "\n")
    return load_dataset(tmp_path)


def _monthly(counts: dict[str, int]) -> list[str]:
    return [f"{m}-{d % 28 + 1:02d}T10:00:00Z" for m, n in counts.items() for d in range(n)]


def test_rows_per_table_and_month(tmp_path):
    ds = _deals(tmp_path, _monthly({"2026-01": 3, "2026-02": 1}))
    cov = monthly_coverage(ds)
    assert cov.to_dict("records") == [
        {"table": "deals", "month": "2026-01", "rows": 3},
        {"table": "deals", "month": "2026-02", "rows": 1},
    ]


def test_the_latest_month_passes_over_a_few_stray_dates(tmp_path):
    # Jan-Jun 10 rows a month; a typo puts 1 deal in August and 1 on 30 Sep 2027
    created = _monthly({f"2026-0{m}": 10 for m in range(1, 7)})
    created += ["2026-08-31T10:00:00Z", "2027-09-30T10:00:00Z"]
    ds = _deals(tmp_path, created)
    first, last, why = latest_covered_month(ds)
    # 2027-09 (1 row) and 2026-08 (1 row) fall short of half the median (10) of the months
    # before them; June (10 rows) is the latest regular month
    assert (first, last) == (date(2026, 6, 1), date(2026, 6, 30))
    assert "passed over 2027-09 (1 row against a median of 10)" in why
    assert "2026-08 (1 row against a median of 10)" in why


def test_the_latest_month_must_be_full(tmp_path):
    created = _monthly({"2026-01": 5, "2026-02": 5}) + ["2026-03-15T10:00:00Z"]
    ds = _deals(tmp_path, created)
    # data end on 15 March: March is not full; February (5 rows, median 5) is taken
    assert latest_covered_month(ds)[:2] == (date(2026, 2, 1), date(2026, 2, 28))
    assert latest_covered_month(ds, as_of="2026-01-31T23:00:00")[:2] == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


def test_a_period_outside_the_data_is_an_error_and_a_partial_one_a_warning(tmp_path):
    ds = _deals(tmp_path, _monthly({"2026-01": 3}) + ["2026-02-10T10:00:00Z"])
    with pytest.raises(ParameterError, match=r"outside the data \(coverage: deals 2026-01-01 to "
                       r"2026-02-10\)"):  # fmt: skip
        period_coverage(ds, date(2026, 5, 1), date(2026, 5, 31))
    assert period_coverage(ds, date(2026, 1, 1), date(2026, 1, 31)) == []
    assert period_coverage(ds, date(2026, 2, 1), date(2026, 2, 28)) == [
        "deals cover only 2026-02-01 to 2026-02-10 of the period 2026-02-01 to 2026-02-28"
    ]


def test_a_table_that_loses_more_than_the_limit_trips_the_guard(tmp_path):
    ds = _deals(tmp_path, _monthly({"2026-01": 8}), bad=2)  # 2 of 10 set aside: 20%
    (loss,) = row_losses(ds, threshold=0.10)
    assert (loss.table, loss.read, loss.set_aside, loss.share) == ("deals", 10, 2, 0.2)
    assert loss.reasons == [("unparseable timestamp", 2)]
    assert [e["row"] for e in loss.examples] == [10, 11]
    assert row_losses(ds, threshold=0.20) == []  # exactly at the limit passes
    err = DataGuardError([loss], 0.10)
    assert "deals: 2 of 10 rows set aside (20%)" in str(err)
    assert "deals.csv row 10, column created_at: 'not a date'" in str(err)


def test_check_lists_optional_columns_the_files_lack(tmp_path):
    (tmp_path / "deals.csv").write_text("ID,Owner,Created\nd1,Anna,2026-01-05\n")
    mapping = {
        "deals": {
            "file": "deals.csv",
            "columns": {"deal_id": "ID", "manager": "Owner", "created_at": "Created",
                        "outcome": {"constant": "open"}, "amount": "Amount"},
        }
    }  # fmt: skip
    report = check_export(tmp_path, mapping=mapping)
    assert list(report.missing_sources.values()) == [["closed_at", "Amount"]]
    assert report.ok and "deals.csv: closed_at, Amount" in report.text()


def test_workbench_check_exit_status(tmp_path):
    _deals(tmp_path, _monthly({"2026-01": 8}), bad=2)
    cmd = [sys.executable, "-m", "workbench.cli", "check", "--data", str(tmp_path)]
    tripped = subprocess.run(cmd, capture_output=True, text=True)
    assert tripped.returncode == 3, tripped.stderr
    assert "TRIPPED: deals: 2 of 10 rows set aside (20%)" in tripped.stdout
    assert re.search(r"deals\s+10 read\s+8 loaded\s+2 set aside", tripped.stdout)
    assert re.search(r"2 unparseable timestamp; e\.g\. deals\.csv row 10", tripped.stdout)
    passed = subprocess.run([*cmd, "--max-loss", "0.5"], capture_output=True, text=True)
    assert passed.returncode == 0 and "passed" in passed.stdout
    broken = subprocess.run([*cmd[:-1], str(tmp_path / "missing")], capture_output=True, text=True)
    assert broken.returncode == 2 and "error: Source not found" in broken.stderr


def test_check_prints_blanked_values(tmp_path):
    (tmp_path / "deals.csv").write_text(
        DEALS_HEADER + "\nd1,Anna,2026-01-05,,open,lots\nd2,Anna,2026-01-06,,open,10\n"
    )
    text = check_export(tmp_path).text()
    assert re.search(r"deals\s+2 read\s+2 loaded\s+0 set aside", text)
    assert (
        "1 values of amount blanked or noted: unparseable number; e.g. deals.csv row 2, "
        "amount = 'lots'" in text
    )


def test_quiet_days_at_the_ends_of_a_period_are_not_a_gap(tmp_path):
    # rows from 2 Feb to 27 Feb: a day short at the start and a day short at the end are
    # quiet days (at most 3), no warning; rows ending 24 Feb (4 days short) are a gap
    ds = _deals(tmp_path, ["2026-02-02T10:00:00Z", "2026-02-27T10:00:00Z"])
    assert period_coverage(ds, date(2026, 2, 1), date(2026, 2, 28)) == []
    ds = _deals(tmp_path, ["2026-02-02T10:00:00Z", "2026-02-24T10:00:00Z"])
    assert period_coverage(ds, date(2026, 2, 1), date(2026, 2, 28)) == [
        "deals cover only 2026-02-02 to 2026-02-24 of the period 2026-02-01 to 2026-02-28"
    ]
