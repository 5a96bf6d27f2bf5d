"""Settings (12-factor): the one `KB_*` settings class, for the CLI, the library and the API; CLI options override."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .discover import DEFAULT_MAX_BYTES


def default_store_url(content_dir: Path) -> str:
    """The store beside the content: `sqlite://<content>/../.kb/kb.sqlite`."""
    return f"sqlite://{(Path(content_dir).resolve().parent / '.kb' / 'kb.sqlite').as_posix()}"


class Settings(BaseSettings):
    """What `KB_*` variables (or a `.env` file the caller passes) configure; one field a line."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    content_dir: Path = Path("content")
    store_url: str | None = None  # default: sqlite beside the content, see `resolved_store_url`
    mongodb_db: str = "kb"
    mongodb_gridfs: bool = False  # with a MongoDB store, also keep attachments (images, PDFs) in GridFS
    site_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    api_token: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)  # `https://a,https://b` or JSON
    log_format: str = "text"  # text | json
    log_level: str = "INFO"
    max_file_bytes: int = DEFAULT_MAX_BYTES
    keywords: bool = True  # filled in behind each sync (a second commit), cached by content hash; KB_KEYWORDS=0 turns them off
    serve_watch: bool = True  # `kb serve` runs the watcher; turn off for API replicas beside one sync worker
    refresh_interval: float = 0.5  # API: seconds between store.revision() polls
    role: Literal["all", "writer", "reader"] = "all"  # what `kb serve` runs: see README "Deployment"

    @field_validator("role", mode="before")
    @classmethod
    def _role(cls, v: object) -> object:
        """`KB_ROLE=Reader` or ` reader ` mean `reader`; anything else fails naming the three roles."""
        return v.strip().lower() if isinstance(v, str) else v

    def resolved_store_url(self) -> str:
        return self.store_url or default_store_url(self.content_dir)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, v: object) -> object:
        """Accept `KB_CORS_ORIGINS=https://a,https://b` (or one origin) as well as a JSON list."""
        if isinstance(v, str) and v.strip().startswith("["):
            try:
                return json.loads(v)
            except json.JSONDecodeError as e:
                raise ValueError(f"KB_CORS_ORIGINS is not a JSON list: {e}") from e
        if isinstance(v, str):
            return [o.strip() for o in v.split(",") if o.strip()]
        return v
