"""API settings from the environment (`KB_` prefix); built by the caller, never at import time."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ApiSettings(BaseSettings):
    """What the API reads from `KB_*` variables (or a `.env` file when the caller passes one)."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    content_dir: Path = Path("content")
    store_url: str | None = None  # default: the CLI's, `sqlite://<content>/../.kb/kb.sqlite`
    mongodb_db: str = "kb"
    api_token: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    site_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    refresh_interval: float = 0.5  # seconds between store.revision() polls

    def resolved_store_url(self) -> str:
        if self.store_url:
            return self.store_url
        return f"sqlite://{(self.content_dir.resolve().parent / '.kb' / 'kb.sqlite').as_posix()}"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        """Accept `KB_CORS_ORIGINS=https://a,https://b` as well as a JSON list."""
        if isinstance(v, str) and v.strip().startswith("["):
            return json.loads(v)
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v


def api_settings(obj: object | None = None) -> ApiSettings:
    """ApiSettings from the CLI's settings object (or anything with the same attributes), else the environment."""
    if obj is None:
        return ApiSettings()
    if isinstance(obj, ApiSettings):
        return obj
    values = {name: getattr(obj, name) for name in ApiSettings.model_fields if getattr(obj, name, None) is not None}
    resolve = getattr(obj, "resolved_store_url", None)
    if callable(resolve):
        values["store_url"] = resolve()
    return ApiSettings(**values)
