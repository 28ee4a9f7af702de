"""Canonical provider keys: one spelling for filters, grouping and display across sources."""

from __future__ import annotations

__all__ = ["PROVIDER_NAMES", "canonical_provider"]

PROVIDER_NAMES: dict[str, str] = {
    "selectel": "Selectel",
    "beget": "Beget",
    "yandex": "Yandex Cloud",
    "vk": "VK Cloud",
    "cloudru": "Cloud.ru",
    "openstack": "OpenStack",
    "platform9": "Platform9",
    "aws": "AWS",
    "azure": "Microsoft Azure",
    "gcp": "Google Cloud",
    "oci": "Oracle Cloud",
    "other": "Other",
}

_ALIASES: tuple[tuple[str, str], ...] = (
    ("selectel", "selectel"), ("beget", "beget"), ("yandex", "yandex"), ("vk", "vk"),
    ("mail.ru", "vk"), ("cloud.ru", "cloudru"), ("cloudru", "cloudru"), ("sber", "cloudru"),
    ("openstack", "openstack"), ("amazon", "aws"), ("aws", "aws"), ("microsoft", "azure"),
    ("azure", "azure"), ("google", "gcp"), ("gcp", "gcp"), ("oracle", "oci"), ("oci", "oci"),
)


def canonical_provider(name: str | None, fallback: str = "other") -> str:
    """`Amazon Web Services` → `aws`, `Microsoft` → `azure`, `Selectel` → `selectel`."""
    if not name:
        return fallback
    low = name.strip().lower()
    if low in PROVIDER_NAMES:
        return low
    for needle, key in _ALIASES:
        if needle in low:
            return key
    return fallback
