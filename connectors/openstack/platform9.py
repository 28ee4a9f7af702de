"""Platform9 preset: hosted OpenStack whose Keystone lives at `https://<fqdn>/keystone/v3`.

The account FQDN differs per customer, so `auth_url` stays in the wizard; the service user's
domain is `Default` and tokens are project-scoped as usual. Costs come from the price list.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.errors import InvalidInput
from connectors.openstack.connector import OpenStackConnector
from connectors.openstack.credentials import OpenStackCredentials

__all__ = ["Platform9Connector"]


class Platform9Connector(OpenStackConnector):
    kind: ClassVar[str] = "platform9"
    display_name: ClassVar[str] = "Platform9"

    def auth_url(self, creds: OpenStackCredentials) -> str:
        """`https://acme.platform9.net` is completed to `.../keystone/v3`."""
        url = super().auth_url(creds).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("auth_url: expected https://<your-fqdn>")
        return url if "/keystone" in url else url + "/keystone/v3"
