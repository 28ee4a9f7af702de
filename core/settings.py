"""Configuration from the environment and `.env` (pydantic-settings); bad values fail at start."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.domain.limits import ReadLimits

__all__ = ["Settings", "SettingsError", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./infrazen.db"


class SettingsError(Exception):
    """One clear line naming the variable that is wrong."""


_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")  # aiogram checks the same shape at start
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Every knob InfraZen reads; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore", case_sensitive=False)

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    infrazen_secret_key: SecretStr | None = Field(default=None, alias="INFRAZEN_SECRET_KEY")
    infrazen_old_secret_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, alias="INFRAZEN_OLD_SECRET_KEYS")
    superadmin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default_factory=frozenset, alias="SUPERADMIN_IDS")
    default_language: str = Field(default="ru", alias="DEFAULT_LANGUAGE")
    default_timezone: str = Field(default="Europe/Moscow", alias="DEFAULT_TIMEZONE")
    telegram_api_server: str | None = Field(default=None, alias="TELEGRAM_API_SERVER")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_host: str = Field(default="127.0.0.1", alias="WEBHOOK_HOST")
    webhook_port: int = Field(default=8080, alias="WEBHOOK_PORT", ge=1, le=65535)
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    metrics_host: str = Field(default="127.0.0.1", alias="METRICS_HOST")
    metrics_port: int = Field(default=9464, alias="METRICS_PORT", ge=0, le=65535)  # 0: off
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # bounded file imports (connectors.safe_io): one line, the decompressed file, the gzip ratio
    import_max_line_bytes: int = Field(default=1 << 20, alias="IMPORT_MAX_LINE_BYTES",
                                       ge=4096)
    import_max_bytes: int = Field(default=2 << 30, alias="IMPORT_MAX_BYTES", ge=1 << 20)
    import_max_ratio: float = Field(default=100.0, alias="IMPORT_MAX_RATIO", gt=1)
    # The Bank of Russia's rates service; empty turns automatic rates off (tests: loopback)
    cbr_url: str | None = Field(default="https://www.cbr.ru", alias="CBR_URL")
    # Optional LLM understanding (OpenAI-compatible Chat Completions); empty URL: rules only
    llm_url: str | None = Field(default=None, alias="LLM_URL")
    llm_model: str = Field(default="", alias="LLM_MODEL")
    llm_api_key: SecretStr | None = Field(default=None, alias="LLM_API_KEY")
    llm_timeout: float = Field(default=10.0, alias="LLM_TIMEOUT", gt=0, le=120)
    # worker processes for charts and PDFs (core.workers); unset: one per CPU
    cpu_workers: int | None = Field(default=None, alias="CPU_WORKERS", ge=1, le=64)

    @field_validator("superadmin_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> frozenset[int]:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "must be comma-separated Telegram user ids, e.g. 12345,67890") from None
        return frozenset(int(v) for v in cast("Iterable[int | str]", value))

    @field_validator("infrazen_old_secret_keys", mode="before")
    @classmethod
    def _old_keys(cls, value: object) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return [str(v) for v in cast("Iterable[object]", value)]

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("ru", "en"):
            raise ValueError("must be ru or en")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Moscow") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not (value.startswith("sqlite+aiosqlite://") or
                value.startswith("postgresql+asyncpg://")):
            raise ValueError("must be sqlite+aiosqlite:///PATH or postgresql+asyncpg://…")
        return value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        """Empty means unset; anything else must have @BotFather's shape `123456:ABC…`."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not _TOKEN.fullmatch(text.strip()):
            raise ValueError("does not look like a token from @BotFather "
                             "(expected digits, a colon, then letters: 123456:ABC-…)")
        return text.strip()

    @field_validator("telegram_api_server", "webhook_url", "redis_url", "cbr_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        assert value is not None
        if "://" not in value:
            raise ValueError(f"{value!r} is not a URL (expected scheme://host…)")
        return value.rstrip("/")

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        """Empty means unset (one is generated); else what Telegram accepts as secret_token."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not _WEBHOOK_SECRET.fullmatch(text.strip()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                             "(Telegram's rule for secret_token)")
        return text.strip()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        raw = self.database_url.split(":///", 1)[1]
        return None if raw in ("", ":memory:") else Path(raw)

    @property
    def read_limits(self) -> ReadLimits:
        """The caps every file import reads within (passed to the readers by callers)."""
        return ReadLimits(max_line_bytes=self.import_max_line_bytes,
                          max_bytes=self.import_max_bytes, max_ratio=self.import_max_ratio)

    @property
    def key_file(self) -> Path:
        """Where a generated Fernet key lives: beside the SQLite file, else the working dir."""
        base = self.sqlite_path.parent if self.sqlite_path else Path(".")
        return base / "infrazen.key"

    @property
    def webhook_secret_file(self) -> Path:
        """Where a generated webhook secret lives (beside the key file, shared by replicas
        that share the volume)."""
        return self.key_file.with_name("infrazen.webhook-secret")


def load_settings(**overrides: object) -> Settings:
    """Settings from env/.env; a bad value raises SettingsError with one line naming it."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "configuration"
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name.upper()}: {msg}") from None
