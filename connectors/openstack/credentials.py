"""What an OpenStack connection needs: Keystone v3 password or application credentials."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from connectors.base import Credentials

__all__ = ["OpenStackCredentials"]

_HIDDEN: dict[str, Any] = {"wizard": False}


class OpenStackCredentials(Credentials):
    """Keystone v3 identity; with no project given, every visible project is collected."""

    auth_url: str | None = Field(default=None, description="Keystone URL, e.g. https://keystone.example:5000/v3")
    username: str | None = None
    password: SecretStr | None = None
    user_domain_name: str = "Default"
    project_name: str | None = None
    region: str | None = Field(default=None, description="only this region (default: all)")
    project_id: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    project_domain_name: str = Field(default="Default", json_schema_extra=_HIDDEN)
    application_credential_id: str | None = Field(default=None, json_schema_extra=_HIDDEN)
    application_credential_secret: SecretStr | None = Field(default=None,
                                                            json_schema_extra=_HIDDEN)
    interface: Literal["public", "internal", "admin"] = Field(default="public",
                                                              json_schema_extra=_HIDDEN)
    price_list: dict[str, Any] | None = Field(default=None, json_schema_extra=_HIDDEN)

    @model_validator(mode="after")
    def _one_method(self) -> OpenStackCredentials:
        if self.application_credential_id and self.application_credential_secret:
            return self
        if self.username and self.password:
            return self
        raise ValueError("give username and password, or application_credential_id and "
                         "application_credential_secret")

    @property
    def uses_app_credential(self) -> bool:
        return bool(self.application_credential_id and self.application_credential_secret)

    def identity(self) -> dict[str, Any]:
        """The Keystone `identity` block (secrets revealed only here, for the token request)."""
        if self.uses_app_credential:
            assert self.application_credential_secret is not None
            return {"methods": ["application_credential"], "application_credential": {
                "id": self.application_credential_id,
                "secret": self.application_credential_secret.get_secret_value()}}
        assert self.password is not None
        return {"methods": ["password"], "password": {"user": {
            "name": self.username, "domain": {"name": self.user_domain_name},
            "password": self.password.get_secret_value()}}}

    def scope(self) -> dict[str, Any] | None:
        """The first token's scope: the given project, else unscoped (app credentials: none)."""
        if self.uses_app_credential:
            return None
        if self.project_id:
            return {"project": {"id": self.project_id}}
        if self.project_name:
            return {"project": {"name": self.project_name,
                                "domain": {"name": self.project_domain_name}}}
        return None
