"""What the wizard asks, per connector kind: the field list, labels, secrets, optional ones.

Derived from the connector's credentials model (`wizard_fields`, `secret_fields`), so a new
connector needs no bot code. Kinds whose module is not installed yet are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.base import BaseConnector, secret_fields, wizard_fields
from connectors.registry import connector_class, kinds
from renderers.i18n import catalogue

__all__ = ["WizardField", "available_kinds", "display_name", "field_label", "fields_of"]


@dataclass(frozen=True, slots=True)
class WizardField:
    name: str
    secret: bool
    required: bool


def _cls(kind: str) -> type[BaseConnector] | None:  # type: ignore[type-arg]
    try:
        return connector_class(kind)
    except (KeyError, ImportError):
        return None


def available_kinds() -> list[tuple[str, str]]:
    """(kind, display name) of every connector that can be loaded, in registry order."""
    out = []
    for kind in kinds():
        cls = _cls(kind)
        if cls is not None:
            out.append((kind, cls.display_name or kind))
    return out


def display_name(kind: str) -> str:
    cls = _cls(kind)
    return (cls.display_name or kind) if cls else kind


def fields_of(kind: str) -> list[WizardField]:
    cls = _cls(kind)
    if cls is None:
        return []
    model = cls.credentials_model
    secrets = set(secret_fields(model))
    return [WizardField(name, name in secrets, model.model_fields[name].is_required())
            for name in wizard_fields(model)]


def field_label(kind: str, name: str, lang: str) -> str:
    """The catalogue's label, else the model's title/description, else the field name."""
    label = catalogue(lang).get(f"connect.field.{name}")
    if label:
        return label
    cls = _cls(kind)
    info = cls.credentials_model.model_fields.get(name) if cls else None
    return (info.title or info.description or name) if info else name
