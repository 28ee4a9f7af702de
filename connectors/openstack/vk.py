"""VK Cloud preset: the generic OpenStack connector with VK's Keystone and user domain.

VK Cloud has no public consumption API (providers.md §4.3), so costs come from the price list
exactly as for any OpenStack. Keystone tokens last one hour there (cached, refreshed on 401).
Two-factor authentication and "API access" must be enabled in the VK project first.
exempt: the balance endpoint needs the console PID (not the OpenStack project id) — not read.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from connectors.openstack.connector import OpenStackConnector
from connectors.openstack.credentials import OpenStackCredentials

__all__ = ["VK_AUTH_URL", "VkCloudConnector", "VkCredentials"]

VK_AUTH_URL = "https://infra.mail.ru:5000/v3"
_HIDDEN: dict[str, Any] = {"wizard": False}


class VkCredentials(OpenStackCredentials):
    """VK asks for the e-mail login, password and the OpenStack project id (not the PID)."""

    auth_url: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    user_domain_name: str = Field(default="users", json_schema_extra=_HIDDEN)
    project_domain_name: str = Field(default="users", json_schema_extra=_HIDDEN)
    project_name: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    project_id: str | None = Field(default=None, description="OpenStack project id")


class VkCloudConnector(OpenStackConnector):
    kind: ClassVar[str] = "vk"
    display_name: ClassVar[str] = "VK Cloud"
    credentials_model: ClassVar[type[OpenStackCredentials]] = VkCredentials
    default_endpoint: ClassVar[str] = VK_AUTH_URL
