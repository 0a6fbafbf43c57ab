"""``clinicops user``: add, list, disable, enable and re-password dashboard users.

Application layer. Each command owns its transaction, records the change in the audit log
(actor ``cli:<login name>``), and turns every expected failure (unknown role, a region or clinic
that does not exist, a staff member without a clinic, a duplicate or unknown user, a weak
password) into one clear line on stderr and exit code 1, never a traceback. Passwords come from
a hidden prompt (typed twice) or, with ``--password-stdin``, the first line of standard input;
never from the command line, where other users could read them.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Connection

from dashboard.cli import CliContext, database_errors, pass_context
from data_access.passwords import PasswordPolicyError, check_policy
from data_access.queries import audit, users
from data_access.roles import Role


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except (users.UserError, PasswordPolicyError) as exc:
        raise click.ClickException(str(exc)) from None


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    with _user_errors():
        check_policy(password)
    return password


def _record(conn: Connection, detail: str) -> None:
    audit.record(
        conn=conn,
        action=audit.USER_CHANGE,
        username=_actor(),
        address=None,
        detail=detail,
    )


@click.group("user")
def user_group() -> None:
    """Manage the people who may sign in to the dashboard."""


@user_group.command("add")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role."
)
@click.option("--region", "regions", multiple=True, help="A region the user sees (repeatable).")
@click.option("--clinic", "clinics", multiple=True, help="A clinic id the user sees (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def add_user(
    ctx: CliContext,
    name: str,
    role: str,
    regions: tuple[str, ...],
    clinics: tuple[str, ...],
    password_stdin: bool,
) -> None:
    """Add a user. Roles: admin (everything), medical_director (all clinics or --region),
    regional_manager (--region, figures suppressed), staff (--clinic)."""
    with _user_errors():
        username = users.normalise_username(name)
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), _user_errors():
        with engine.connect() as conn:  # refuse bad input before asking for a password
            users.check_new_user(
                conn=conn, username=username, role=role, regions=regions, clinics=clinics
            )
        password = _read_password(password_stdin)
        with engine.begin() as conn:
            users.create_user(
                conn=conn,
                username=username,
                password=password,
                role=role,
                regions=regions,
                clinics=clinics,
            )
            places = ", ".join(
                [*(f"region {r}" for r in regions), *(f"clinic {c}" for c in clinics)]
            )
            _record(conn, f"added {username} as {role}" + (f" ({places})" if places else ""))
    click.echo(f"user {username} added ({role})")


@user_group.command("list")
@pass_context
def list_users(ctx: CliContext) -> None:
    """List users with their role, scope and state."""
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), engine.connect() as conn:
        found = users.list_users(conn=conn)
    if not found:
        click.echo("no users yet: add one with `clinicops user add NAME --role admin`")
        return
    rows = [("USERNAME", "ROLE", "STATE", "SEES", "CREATED (UTC)")]
    for user in found:
        sees = ", ".join([*user.regions, *user.clinics]) or "all clinics"
        state = "disabled" if user.disabled else "active"
        rows.append(
            (user.username, user.role.value, state, sees, f"{user.created_at:%Y-%m-%d %H:%M}")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _change(ctx: CliContext, name: str, change: str) -> None:
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), _user_errors(), engine.begin() as conn:
        if change == "disable":
            users.disable_user(conn=conn, username=name)
        else:
            users.enable_user(conn=conn, username=name)
        _record(conn, f"{change}d {name.strip().lower()}")


@user_group.command("disable")
@click.argument("name")
@pass_context
def disable_user(ctx: CliContext, name: str) -> None:
    """Disable a user: sign-in is refused and open sessions end at once."""
    _change(ctx, name, "disable")
    click.echo(f"user {name.strip().lower()} disabled")


@user_group.command("enable")
@click.argument("name")
@pass_context
def enable_user(ctx: CliContext, name: str) -> None:
    """Enable a disabled user again."""
    _change(ctx, name, "enable")
    click.echo(f"user {name.strip().lower()} enabled")


@user_group.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def set_password(ctx: CliContext, name: str, password_stdin: bool) -> None:
    """Give a user a new password; their open sessions end."""
    engine = ctx.ready_engine()
    with database_errors(ctx.settings), _user_errors():
        with engine.connect() as conn:
            if users.find_user(conn=conn, username=name) is None:
                raise users.UserError(f"no such user: {name!r}")
        password = _read_password(password_stdin)
        with engine.begin() as conn:
            users.set_password(conn=conn, username=name, password=password)
            _record(conn, f"set a new password for {name.strip().lower()}")
    click.echo(f"password of {name.strip().lower()} changed")
