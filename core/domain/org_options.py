"""Switches an organisation keeps in `Organization.settings`, readable without loading the
question parser (so `orgs` and the CLI commands that touch organisations stay light)."""

from __future__ import annotations

LLM_UNDERSTANDING = "llm_understanding"
"""Key in `Organization.settings`: False turns LLM understanding off for that organisation."""


def llm_allowed(org_settings: dict[str, object] | None) -> bool:
    """On unless the organisation switched it off."""
    return (org_settings or {}).get(LLM_UNDERSTANDING, True) is not False
