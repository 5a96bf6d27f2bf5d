"""What every deriver reads: the parsed file, its scanned body and the derive options."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..parse import Parsed
from .spans import Scan


@dataclass
class Options:
    keywords: bool = False  # YAKE is the slowest deriver; off unless asked for


@dataclass
class Ctx:
    parsed: Parsed
    scan: Scan
    options: Options
    out: dict[str, Any] = field(default_factory=dict)  # fields derived so far, in DERIVERS order

    def file_line(self, body_line: int) -> int:
        """Body line (1-based) → file line, for messages that name `path:line`."""
        return self.parsed.body_line + body_line - 1
