"""Settings (12-factor): `KB_*` environment variables, overridden by CLI options."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .discover import DEFAULT_MAX_BYTES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    content_dir: Path = Path("content")
    store_url: str | None = None  # default: sqlite beside the content, see `resolved_store_url`
    mongodb_db: str = "kb"
    mongodb_gridfs: bool = False  # with a MongoDB store, also keep attachments (images, PDFs) in GridFS
    site_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = None
    cors_origins: list[str] = Field(default_factory=list)
    log_format: str = "text"  # text | json
    log_level: str = "INFO"
    max_file_bytes: int = DEFAULT_MAX_BYTES
    keywords: bool = False  # YAKE costs ~10 ms an entry (100 s of CPU per 10,000 on a first sync)
    serve_watch: bool = True  # `kb serve` runs the watcher; turn off for API replicas beside one sync worker
    role: Literal["all", "writer", "reader"] = "all"  # what `kb serve` runs: see README "Deployment"

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: object) -> object:
        """`KB_ROLE=Reader` or ` reader ` mean `reader`; anything else fails naming the three roles."""
        return v.strip().lower() if isinstance(v, str) else v

    def resolved_store_url(self) -> str:
        if self.store_url:
            return self.store_url
        return f"sqlite://{(self.content_dir.resolve().parent / '.kb' / 'kb.sqlite').as_posix()}"
