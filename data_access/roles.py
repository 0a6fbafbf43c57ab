"""Roles of ClinicOps users and the data scope each role gets.

Data-access layer (policy). One place says what a role may see: :func:`scope_for` turns a
user's role and assigned regions/clinics into the :class:`~data_access.filters.Scope` every
query function intersects its filters with, and :func:`check_assignment` refuses a role with
assignments that make no sense (a staff member without a clinic, an admin with a region).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from data_access.filters import Scope


class Role(StrEnum):
    ADMIN = "admin"
    MEDICAL_DIRECTOR = "medical_director"
    REGIONAL_MANAGER = "regional_manager"
    STAFF = "staff"


class RoleError(ValueError):
    """A role cannot be given these regions/clinics; the message says why."""


def check_assignment(role: Role, regions: Collection[str], clinics: Collection[str]) -> None:
    """Refuse assignments the role cannot use."""
    if role is Role.ADMIN and (regions or clinics):
        raise RoleError("an admin sees every clinic: give no --region or --clinic")
    if role is Role.MEDICAL_DIRECTOR and clinics:
        raise RoleError("a medical director is given regions (or none for all), not clinics")
    if role is Role.REGIONAL_MANAGER and (clinics or not regions):
        raise RoleError("a regional manager needs at least one --region (and no --clinic)")
    if role is Role.STAFF and (regions or not clinics):
        raise RoleError("a staff member needs at least one --clinic (and no --region)")


def scope_for(
    role: Role,
    regions: Collection[str],
    clinics: Collection[str],
    *,
    suppressed_roles: Collection[str],
) -> Scope:
    """What a user with this role and these assignments may see.

    A restricted role with no assignment sees nothing (``frozenset()``), never everything."""
    suppress = role.value in suppressed_roles
    if role is Role.ADMIN:
        return Scope(row_detail=True, label="all clinics", suppress_small_cells=suppress)
    if role is Role.MEDICAL_DIRECTOR:
        if not regions:
            return Scope(row_detail=True, label="all clinics", suppress_small_cells=suppress)
        return Scope(
            regions=frozenset(regions),
            row_detail=True,
            label="regions " + ", ".join(sorted(regions)),
            suppress_small_cells=suppress,
        )
    if role is Role.REGIONAL_MANAGER:
        return Scope(
            regions=frozenset(regions),
            clinics=None,
            row_detail=False,
            label="regions " + ", ".join(sorted(regions)),
            suppress_small_cells=suppress,
        )
    return Scope(
        regions=None,
        clinics=frozenset(clinics),
        # Staff treat these patients: their own clinics' event list with descriptions (patient
        # keys are never returned by any query).
        row_detail=True,
        label="clinics " + ", ".join(sorted(clinics)),
        suppress_small_cells=suppress,
    )


def may_review_cases(role: Role) -> bool:
    """Medical directors review cases; admins, who see everything, may too."""
    return role in (Role.MEDICAL_DIRECTOR, Role.ADMIN)


def may_administer(role: Role) -> bool:
    return role is Role.ADMIN
