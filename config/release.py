"""The release a process runs (the RELEASE_ID setting). It is part of the key of everything the
shared cache keeps that a release renders or pickles (whole pages, fragments, copies of actions),
so a deploy never serves HTML the previous release made (docs/operations.md, "The cache")."""

import hashlib
import os
import tomllib
from pathlib import Path

# What a page is made from: code, templates, translations and the project's own static files.
_SOURCE_SUFFIXES = frozenset({".py", ".html", ".txt", ".po", ".css", ".js", ".svg", ".toml"})
# Never part of a page (or not the project's own).
_NOT_SOURCE = frozenset({"var", "tests", "bench", "docs", "scripts", "node_modules", "__pycache__"})


def code_release(base_dir: Path) -> str:
    """The code's version and a digest of its source files ("0.1.0+3f2a9c1d0b7e"): without a
    RELEASE_ID from the deploy, any change to what renders a page still names a new release, and
    the same code names the same release on every machine."""
    version = tomllib.loads((base_dir / "pyproject.toml").read_text())["project"]["version"]
    digest = hashlib.blake2b(digest_size=6)
    for root, dirs, files in os.walk(base_dir):
        # Sorted in place, so every machine walks the tree in the same order.
        dirs[:] = sorted(name for name in dirs if name not in _NOT_SOURCE and not name.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if path.suffix in _SOURCE_SUFFIXES:
                digest.update(path.relative_to(base_dir).as_posix().encode())
                digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()}"
