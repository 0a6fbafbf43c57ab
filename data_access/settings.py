"""Typed settings for every ClinicOps process, read once from ``CLINICOPS_*`` variables.

Part of the data-access layer's wiring: the CLI and the dashboard's ``create_app`` both take
a :class:`Settings` object, so one place decides what a value means and refuses bad ones.
"""

from __future__ import annotations

import secrets
import stat
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

APP_NAME = "clinicops"


def default_data_dir() -> Path:
    """The per-user folder holding the embedded database and the generated secret key."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class SettingsError(ValueError):
    """A ``CLINICOPS_*`` value is missing or malformed; the message names it."""


class Settings(BaseSettings):
    """Configuration of one ClinicOps process."""

    model_config = SettingsConfigDict(env_prefix="CLINICOPS_", extra="ignore", frozen=True)

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""
    secret_key: str = ""
    redis_url: str | None = None
    default_timezone: str = "America/Chicago"
    demo_on_empty: bool = True
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65535)
    statement_timeout_ms: int = Field(default=15_000, ge=0)
    connect_timeout_s: int = Field(default=5, ge=1)
    # --- Sign-in, roles and small-cell suppression (dashboard/auth.py, dashboard/suppression.py)
    #: Roles whose figures get small-cell suppression ("regional_manager,admin" in the env).
    suppression_roles: Annotated[tuple[str, ...], NoDecode] = ("regional_manager",)
    #: Counts from 1 to ``suppression_threshold - 1`` are shown as "<threshold" (CMS: 11).
    suppression_threshold: int = Field(default=11, ge=2, le=1000)
    #: Mark the session cookie Secure always (it is also Secure whenever served over HTTPS).
    secure_cookies: bool = False
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none).
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_max_failures_per_user: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("suppression_roles", mode="before")
    @classmethod
    def _roles_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        known = {"admin", "medical_director", "regional_manager", "staff"}
        unknown = sorted(set(value) - known) if isinstance(value, list | tuple) else []
        if unknown:
            raise ValueError(
                f"unknown role(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _resolve_database_url(self) -> Settings:
        url = self.database_url or f"sqlite:///{self.data_dir / 'clinicops.sqlite3'}"
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ValueError(f"database_url is not a database URL: {url!r}") from exc
        if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(
                f"database_url must be sqlite:// or postgresql://, not {parsed.drivername!r}"
            )
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            # psycopg 3 is the driver we ship; plain postgresql:// would pick psycopg2.
            url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        object.__setattr__(self, "database_url", url)
        return self

    @property
    def is_embedded(self) -> bool:
        """True when the database is the embedded SQLite default (or another SQLite file)."""
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def resolved_secret_key(self) -> str:
        """The Flask secret key: the configured one, or for the embedded default one generated
        once and kept beside the database. A shared deployment must configure its own."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise SettingsError("CLINICOPS_SECRET_KEY must be at least 32 characters long")
            return self.secret_key
        if not self.is_embedded:
            raise SettingsError(
                "CLINICOPS_SECRET_KEY must be set when CLINICOPS_DATABASE_URL points at a "
                "shared database (generate one with: "
                "python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        key_file.write_text(key, encoding="utf-8")
        key_file.chmod(stat.S_IRUSR | stat.S_IWUSR)
        return key


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and overrides), turning pydantic's report into one
    clear line per bad value, named by its environment variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"CLINICOPS_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        )
        raise SettingsError(problems) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return load_settings()
