"""Signing in from a browser test: ``sign_in(page, base_url, username, password)``.

Test helper. Create the account first with ``data_access.queries.users.create_user(conn=...,
username=..., password=..., role=..., regions=..., clinics=...)`` on the live server's engine.
"""

from __future__ import annotations

from playwright.sync_api import Page


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Open the sign-in page (unless already there), submit the form with Enter and wait for
    the page it leads to."""
    if "/login" not in page.url:
        page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/login" not in page.url, f"signing in as {username} failed"
    page.wait_for_load_state("networkidle")
