"""Malformed files for `--bad`: each with the problem kind a sync must report (`ok` = must be read fine)."""
from __future__ import annotations

from pathlib import Path

# name -> (bytes, kind). Kinds: front_matter, encoding, schema, too_large, duplicate_slug, symlink_loop, ok.
CASES: dict[str, tuple[bytes, str]] = {
    "unclosed-front-matter.md": (b"---\ntitle: Never closed\ntags: [a, b\n\nBody text\n", "front_matter"),
    "invalid-yaml.md": (b"---\ntitle: [unbalanced\n---\nBody\n", "front_matter"),
    "list-front-matter.md": (b"---\n- just\n- a list\n---\nBody\n", "front_matter"),
    "tab-indented.md": (b"---\ntitle: Tabs\naliases:\n\t- tabbed\n---\nBody\n", "front_matter"),
    "not-utf8.md": (b"---\ntitle: Latin1 \xe9t\xe9\n---\nCaf\xe9\n", "encoding"),
    "binary.md": (bytes(range(256)) * 4, "encoding"),
    "wrong-type.md": (b"---\ntitle: Bad Exercise\ntype: exercise\nquantity: lots\ntags: 42\n---\nBody\n", "schema"),
    "empty.md": (b"", "ok"),
    "only-front-matter.md": (b"---\ntitle: Nothing Below\n---\n", "ok"),
    "bom-crlf.md": ("\ufeff---\r\ntitle: Bom Crlf Ok\r\n---\r\nFine [[People]]\r\n".encode(), "ok"),
    "huge.md": (b"---\ntitle: Huge\n---\n" + b"word " * 3_000_000, "too_large"),
    "Case Twin.md": (b"---\ntitle: Case Twin\n---\nA\n", "ok"),
    "case twin.md": (b"---\ntitle: case twin lower\n---\nB\n", "duplicate_slug"),
}


def write_malformed(content: Path) -> dict[str, str]:
    """Write the cases under content/bad/; return {content path: kind}."""
    bad = content / "bad"
    bad.mkdir(parents=True, exist_ok=True)
    kinds = {}
    for name, (data, kind) in CASES.items():
        (bad / name).write_bytes(data)
        kinds[f"bad/{name}"] = kind
    try:  # a folder symlink pointing at its parent: walking it naively never ends
        (bad / "loop").symlink_to(".", target_is_directory=True)
        kinds["bad/loop"] = "symlink_loop"
    except OSError:  # no symlinks on this file system
        pass
    return kinds
