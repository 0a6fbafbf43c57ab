"""The demo batch written as contract CSV files reads back to the same values."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data_access.contract import FILES, FILES_BY_NAME
from data_access.demo import DemoBatch, generate_demo, write_demo_csv

END = date(2026, 5, 15)
DATE = r"\d{4}-\d{2}-\d{2}"
DATETIME = DATE + r"(T\d{2}:\d{2})?"


@pytest.fixture(scope="module")
def batch() -> DemoBatch:
    return generate_demo(clinics=4, years=0.5, end=END)


@pytest.fixture(scope="module")
def written(batch: DemoBatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "batch"
    counts = write_demo_csv(batch, directory)
    assert counts == {name: len(frame) for name, frame in batch.frames().items()}
    return directory


def read(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(
        directory / FILES_BY_NAME[name].filename, dtype=str, keep_default_na=False, encoding="utf-8"
    )


def test_one_file_per_contract_file_with_the_contract_header(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(f.filename for f in FILES)
    for spec in FILES:
        with (written / spec.filename).open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == spec.column_names


def test_values_are_spelled_as_the_contract_says(batch: DemoBatch, written: Path) -> None:
    procedures = read(written, "procedures")
    assert len(procedures) == len(batch.procedures)
    assert procedures["performed_at"].str.fullmatch(DATETIME).all()
    assert procedures["performed_at"].str.contains("T").any()
    assert read(written, "referrals")["referred_on"].str.fullmatch(DATE).all()
    assert read(written, "clinics")["opened_on"].str.fullmatch(DATE).all()
    events = read(written, "adverse_events")
    assert set(events["serious"]) <= {"true", "false"}
    assert events["onset_at"].str.fullmatch(DATETIME).all()
    # Integers stay integers, blanks stay blank.
    assert procedures["pain_before"].str.fullmatch(r"\d{0,2}").all()
    assert (procedures["pain_before"] == "").sum() == batch.procedures["pain_before"].isna().sum()


def test_free_text_and_unicode_round_trip(batch: DemoBatch, written: Path) -> None:
    events = read(written, "adverse_events")
    expected = batch.adverse_events["description"].fillna("").tolist()
    assert events["description"].tolist() == expected
    assert read(written, "clinics")["name"].tolist() == batch.clinics["name"].tolist()
    datetimes = pd.to_datetime(read(written, "followups")["followup_at"], format="ISO8601")
    assert datetimes.tolist() == batch.followups["followup_at"].tolist()
