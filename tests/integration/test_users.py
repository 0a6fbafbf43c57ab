"""``clinicops user`` end to end through the command line on both backends, the user queries
behind it, and the role → scope policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection

from dashboard.cli import main
from data_access.engine import make_engine
from data_access.filters import Scope
from data_access.passwords import verify_password
from data_access.queries import audit
from data_access.queries.users import (
    UserError,
    create_user,
    disable_user,
    find_user,
    list_users,
    set_password,
)
from data_access.roles import Role, scope_for
from tests.conftest import make_settings
from tests.integration.handmade import load_handmade

PASSWORD = "correct horse battery"


@pytest.fixture
def env(fresh_database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        "CLINICOPS_DATABASE_URL": fresh_database_url,
        "CLINICOPS_DATA_DIR": str(tmp_path / "data"),
    }
    assert run(env, "init-db")[0] == 0
    engine = make_engine(make_settings(tmp_path, fresh_database_url))
    with engine.begin() as conn:
        load_handmade(conn)
    engine.dispose()
    return env


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_add_list_disable_and_set_password(env: dict[str, str], tmp_path: Path) -> None:
    code, out, err = run(
        env, "user", "add", "Ana", "--role", "staff", "--clinic", "C1", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, err
    assert "user ana added (staff)" in out
    code, _, err = run(env, "user", "add", "rm", "--role", "regional_manager", "--region",
                       "North", "--region", "South", stdin=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert code == 0, err
    assert "Password" in err  # prompted (hidden) twice, on stderr
    code, out, _ = run(env, "user", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "STATE", "SEES", "CREATED", "(UTC)"]
    assert lines[1].split()[:4] == ["ana", "staff", "active", "C1"]
    assert lines[2].split()[:5] == ["rm", "regional_manager", "active", "North,", "South"]

    assert run(env, "user", "disable", "ANA")[0] == 0
    assert (
        run(env, "user", "set-password", "rm", "--password-stdin", stdin="another long one\n")[0]
        == 0
    )
    engine = make_engine(make_settings(tmp_path, env["CLINICOPS_DATABASE_URL"]))
    with engine.connect() as conn:
        ana, rm = find_user(conn=conn, username="ana"), find_user(conn=conn, username="rm")
        entries = audit.recent(conn=conn, action=audit.USER_CHANGE)
    engine.dispose()
    assert ana is not None and ana.disabled and ana.clinics == ("C1",)
    assert rm is not None and verify_password(rm.password_hash, "another long one")
    assert PASSWORD not in rm.password_hash and rm.password_hash.startswith("$argon2id$")
    assert [e.detail for e in entries][:2] == ["set a new password for rm", "disabled ana"]
    assert all(e.username and e.username.startswith("cli") for e in entries)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "x", "--role", "boss"], "'boss' is not one of"),
        (["add", "x", "--role", "staff", "--clinic", "C9"], "no such clinic: C9"),
        (["add", "x", "--role", "regional_manager", "--region", "West"], "no such region: West"),
        (["add", "x", "--role", "staff"], "a staff member needs at least one --clinic"),
        (["add", "x", "--role", "staff", "--region", "North"], "needs at least one --clinic"),
        (["add", "x", "--role", "admin", "--clinic", "C1"], "an admin sees every clinic"),
        (["add", "bad name!", "--role", "admin"], "is not a valid username"),
        (["add", "x", "--role", "admin", "--password-stdin"], "at least 12 characters"),
        (["disable", "nobody"], "no such user: 'nobody'"),
        (["set-password", "nobody", "--password-stdin"], "no such user: 'nobody'"),
    ],
)
def test_bad_input_is_one_clear_line(env: dict[str, str], args: list[str], message: str) -> None:
    code, _, err = run(env, "user", *args, stdin="short\n")
    assert code in (1, 2)
    assert message in err
    assert "Traceback" not in err
    # One error line (click adds its usage lines before a bad --role).
    assert [line for line in err.splitlines() if line.startswith("Error:")] == [
        err.strip().splitlines()[-1]
    ]


def test_duplicate_user_is_refused(env: dict[str, str]) -> None:
    args = ["user", "add", "dup", "--role", "admin", "--password-stdin"]
    assert run(env, *args, stdin=PASSWORD + "\n")[0] == 0
    code, _, err = run(env, *args, stdin=PASSWORD + "\n")
    assert code == 1 and err.strip() == "Error: user 'dup' already exists"


def test_user_queries(conn: Connection) -> None:
    load_handmade(conn)
    create_user(conn=conn, username="Md", password=PASSWORD, role="medical_director")
    with pytest.raises(UserError, match="already exists"):
        create_user(conn=conn, username="md", password=PASSWORD, role=Role.MEDICAL_DIRECTOR)
    assert [u.username for u in list_users(conn=conn)] == ["md"]
    set_password(conn=conn, username="md", password="a different password")
    disable_user(conn=conn, username="md")
    user = find_user(conn=conn, username="MD")
    assert user is not None and user.disabled
    assert verify_password(user.password_hash, "a different password")
    assert not verify_password(user.password_hash, PASSWORD)
    assert not verify_password(None, PASSWORD)


def test_role_scopes() -> None:
    suppressed = ("regional_manager",)
    assert scope_for(Role.ADMIN, (), (), suppressed_roles=suppressed) == Scope()
    assert scope_for(Role.MEDICAL_DIRECTOR, (), (), suppressed_roles=suppressed) == Scope()
    director = scope_for(Role.MEDICAL_DIRECTOR, ["North"], (), suppressed_roles=suppressed)
    assert director.regions == {"North"} and director.row_detail
    manager = scope_for(Role.REGIONAL_MANAGER, ["North"], (), suppressed_roles=suppressed)
    assert manager.regions == {"North"} and manager.clinics is None
    assert not manager.row_detail and manager.suppress_small_cells
    staff = scope_for(Role.STAFF, (), ["C1"], suppressed_roles=suppressed)
    assert staff.clinics == {"C1"} and staff.regions is None and not staff.suppress_small_cells
    # A restricted role with nothing assigned sees nothing, never everything.
    assert scope_for(Role.STAFF, (), (), suppressed_roles=()).clinics == frozenset()
    assert scope_for(Role.ADMIN, (), (), suppressed_roles=("admin",)).suppress_small_cells


def test_demo_users_one_per_role_with_random_passwords_in_an_owner_only_file(
    tmp_path: Path,
) -> None:
    from dashboard.demo_users import ensure_demo_users
    from data_access.migrate import upgrade_to_head

    settings = make_settings(tmp_path)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    assert ensure_demo_users(settings, engine, echo=False) is None  # no clinics yet
    with engine.begin() as conn:
        load_handmade(conn)
    path = ensure_demo_users(settings, engine, echo=False)
    assert path == tmp_path / "demo-users.txt"
    assert path.stat().st_mode & 0o777 == 0o600
    rows = [line.split("\t") for line in path.read_text().splitlines() if line[0] != "#"]
    assert [(name, role) for name, role, *_ in rows] == [
        ("admin", "admin"),
        ("director", "medical_director"),
        ("manager", "regional_manager"),
        ("staff", "staff"),
    ]
    with engine.connect() as conn:
        for name, _, password, _ in rows:
            user = find_user(conn=conn, username=name)
            assert user is not None and verify_password(user.password_hash, password)
        manager, staff = (
            find_user(conn=conn, username="manager"),
            find_user(conn=conn, username="staff"),
        )
    assert manager is not None and manager.regions == ("North",)
    assert staff is not None and staff.clinics == ("C1",)
    assert len({password for _, _, password, _ in rows}) == 4
    assert ensure_demo_users(settings, engine, echo=False) is None  # only once
    engine.dispose()
