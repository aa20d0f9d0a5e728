"""Loading the two real public exports in ../shared/data with full row accounting."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.data.loading import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "data"
MAPPINGS = ROOT / "docs" / "mappings"

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"real exports not present at {SHARED} (see docs/data-contract.md)"
)


def _health(data, table: str) -> dict:
    health = data.health()
    rows = health[health["table"] == table]
    return {
        (m if pd.isna(r) else r): n
        for m, r, n in rows[["measure", "reason", "rows"]].itertuples(index=False)
    }


def test_contact_center_excel_calls():
    data = load_dataset(SHARED / "contact-center", mapping=MAPPINGS / "contact-center.yaml")
    # 5000 rows read = 5000 loaded + 0 set aside
    assert _health(data, "calls") == {"read": 5000, "loaded": 5000, "set_aside": 0}
    calls = data.calls
    assert calls["call_id"].iloc[0] == "ID0001"
    assert calls["started_at"].iloc[0] == pd.Timestamp("2021-01-01 09:12:58", tz="UTC")
    assert calls["duration_s"].iloc[0] == 143.0  # 00:02:23 = 2*60+23
    # the README: 946 unanswered calls with blank durations -> 0 s
    assert calls["answered"].value_counts().to_dict() == {True: 4054, False: 946}
    assert (calls.loc[~calls["answered"], "duration_s"] == 0).all()
    assert (calls.loc[calls["answered"], "duration_s"] > 0).all()
    assert set(calls["direction"]) == {"inbound"}
    assert len(data.managers) == 8
    assert data.rows_read == {"tasks": 0, "calls": 5000, "deals": 0, "targets": 0, "roster": 0}


def test_maven_pipeline_deals():
    data = load_dataset(SHARED / "maven-crm", mapping=MAPPINGS / "maven-crm.yaml")
    # 8800 rows read = 8300 loaded + 500 set aside (Prospecting deals have no engage_date)
    assert _health(data, "deals") == {
        "read": 8800,
        "loaded": 8300,
        "set_aside": 500,
        "missing value": 500,
    }
    assert set(data.set_aside["column"]) == {"created_at (engage_date)"}
    raw = pd.read_csv(SHARED / "maven-crm" / "sales_pipeline.csv", dtype="str")
    set_aside_rows = raw.iloc[data.set_aside["row"] - 2]  # file row 2 = first data row
    assert set(set_aside_rows["deal_stage"]) == {"Prospecting"}
    assert set_aside_rows["engage_date"].isna().all()
    # Engaging 1589 + Won 4238 + Lost 2473 = 8300 loaded
    assert data.deals["outcome"].value_counts().to_dict() == {
        "won": 4238,
        "lost": 2473,
        "open": 1589,
    }
    assert data.deals.loc[data.deals["outcome"] == "open", "closed_at"].isna().all()
    won = data.deals["outcome"] == "won"
    expected = pd.to_numeric(raw.loc[raw["deal_stage"] == "Won", "close_value"]).sum()
    assert data.deals.loc[won, "amount"].sum() == expected
    assert len(data.managers) == 30  # 35 agents in sales_teams.csv, 5 without deals
