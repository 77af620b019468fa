"""The one exception tree of storyline.

    StorylineError                 base: every error the library raises on purpose
    ├── Rejected                   one input cannot be used; the batch goes on
    │                              (.source, .reason, .detail: names the input and the fix)
    ├── StoreError                 the store file cannot be opened or migrated (.path)
    └── NotFound                   an id or name the user gave does not exist (.what, .key)

The library never prints: the CLI turns these into messages at one boundary.
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base of every error storyline raises on purpose."""


class Rejected(StorylineError):
    """One input cannot be used; the runner records it and goes on."""

    def __init__(self, source: str, reason: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.reason = reason
        self.detail = detail


class StoreError(StorylineError):
    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


class NotFound(StorylineError):
    def __init__(self, what: str, key: str, hint: str = "") -> None:
        message = f"no {what} {key!r}"
        super().__init__(f"{message}; {hint}" if hint else message)
        self.what = what
        self.key = key
