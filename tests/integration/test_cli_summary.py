"""``clinicops summary`` and ``init-db`` end to end through the command line, on both
backends, against the hand-made network of ``handmade.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dashboard.cli import main
from data_access.engine import make_engine
from tests.conftest import make_settings
from tests.integration.handmade import load_handmade


@pytest.fixture
def env(fresh_database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "CLINICOPS_DATABASE_URL": fresh_database_url,
        "CLINICOPS_DATA_DIR": str(tmp_path / "data"),
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_init_db_then_summary_json(env: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = run(env, "init-db")
    assert code == 0, out
    engine = make_engine(make_settings(tmp_path, env["CLINICOPS_DATABASE_URL"]))
    with engine.begin() as conn:
        load_handmade(conn)
    engine.dispose()

    code, out, err = run(
        env,
        "summary",
        "--start",
        "2025-01-01",
        "--end",
        "2025-01-31",
        "--region",
        "North",
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out) == {
        "procedures": 4,
        "patients": 3,
        "adverse_events": 2,
        "ae_rate_per_1000": 500.0,
        "followup_rate": 0.75,
        "median_soreness": 4.0,
        "referrals": 2,
        "referrals_by_source": {"chiropractic": 1, "primary_care": 1},
    }
    code, out, _ = run(
        env, "summary", "--start", "2030-01-01", "--end", "2030-01-31", "--format", "json"
    )
    assert json.loads(out)["ae_rate_per_1000"] is None
    code, out, _ = run(env, "summary", "--start", "2025-01-01", "--end", "2025-01-31")
    assert code == 0 and "Median soreness" in out and "3.0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2025-13-01", "--end", "2025-01-31"], "'2025-13-01' is not a date"),
        (["--start", "2025-02-01", "--end", "2025-01-31"], "is after end"),
        (
            ["--start", "2025-01-01", "--end", "2025-01-31", "--procedure", "botox"],
            "'botox' is not one of",
        ),
        (["--end", "2025-01-31"], "Missing option '--start'"),
    ],
)
def test_summary_refuses_bad_arguments_clearly(
    env: dict[str, str], args: list[str], message: str
) -> None:
    code, _, err = run(env, "summary", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        "CLINICOPS_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "CLINICOPS_DATA_DIR": str(tmp_path),
        "CLINICOPS_CONNECT_TIMEOUT_S": "1",
    }
    code, _, err = run(env, "init-db")
    assert code == 1
    assert err.startswith("Error: cannot use the database at postgresql+psycopg://nobody@")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CLINICOPS_DATABASE_URL", "mysql://x@y/z", "must be sqlite:// or postgresql://"),
        ("CLINICOPS_DATABASE_URL", "not a url", "is not a database URL"),
        ("CLINICOPS_DEMO_ON_EMPTY", "perhaps", "CLINICOPS_DEMO_ON_EMPTY"),
        ("CLINICOPS_DEFAULT_TIMEZONE", "Mars/Olympus", "unknown IANA time zone"),
    ],
)
def test_bad_environment_values_are_named(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = {"CLINICOPS_DATA_DIR": str(tmp_path), variable: value}
    code, _, err = run(env, "init-db")
    assert code == 1
    assert message in err
    assert "Traceback" not in err
