"""Fixtures shared by the test modules.

`store` is a fresh Store in tmp_path; `write` puts a small hand-made input file
under tmp_path. `SHARED` is the data folder that lives beside the repo (it is
not part of it); tests that read it call `require_shared`, importable as
`from conftest import require_shared`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyline.store import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

Write = Callable[[str, bytes | str], Path]


def require_shared(sub: str = "") -> Path:
    """`SHARED / sub`, or skip the test when it is absent (fail instead under CI)."""
    path = SHARED / sub if sub else SHARED
    if not path.exists():
        reason = f"{path} not found: tests that read ../shared/ skip when it is absent"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, but CI is set, so its absence is an error")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder beside the repo; skips (or fails under CI) when absent."""
    return require_shared()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """write("dir/name.txt", text or bytes) -> the Path written, parents created."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    return _write
