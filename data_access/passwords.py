"""Password hashing for ClinicOps users: Argon2id through argon2-cffi.

Data-access layer (credentials). Argon2id is the first choice of the OWASP password storage
guidance and RFC 9106; argon2-cffi's defaults follow the RFC's recommended profile, and
:func:`needs_rehash` lets a sign-in upgrade old hashes when those defaults rise. No password
is ever stored, logged or hard-coded; only these hashes are.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()
#: Verified against when the user does not exist, so that an unknown name costs as much time as
#: a wrong password and response times do not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class PasswordPolicyError(ValueError):
    """A new password is unacceptable; the message says why."""


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"a password has at most {MAX_LENGTH} characters")
    if password.strip() != password:
        raise PasswordPolicyError("a password must not begin or end with white space")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; ``None`` (no such user) spends the same time, then fails."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
