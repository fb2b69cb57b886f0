"""User mistakes, reported as ``path:line: error: what is wrong; how to fix it``.

Only mistakes a user can fix (a source, a setting, a template) raise these;
a bug in the pipeline keeps its ordinary traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from .characters import printable


class PublishingError(Exception):
    """A mistake in the sources, settings or layouts, with where and how to fix it."""

    def __init__(self, path: Path | str | None, message: str, *, line: int | None = None, hint: str | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{shown_path(self.path)}:" + (f"{self.line}:" if self.line else "") + " "
        text = f"{where}error: {printable(self.message)}"
        return f"{text}; {printable(self.hint)}" if self.hint else text


class PublishingErrors(PublishingError):
    """Several mistakes found in one pass (MkDocs' way: every problem at once, each on its own line)."""

    def __init__(self, errors: list[PublishingError]):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.path, first.message, line=first.line, hint=first.hint)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    @classmethod
    def raise_if_any(cls, errors: list[PublishingError]) -> None:
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise cls(errors)


class RequiredBlockFailure(PublishingError):
    """A built product lacks the disclaimer or the crisis information, hides it or puts it out of order."""


def shown_path(path: Path) -> str:
    """A path as the user sees it: relative to the working directory when it is inside it, and every
    control character in it escaped (a file name can hold a terminal's escape codes)."""
    here = Path.cwd().resolve()
    # The link itself, not where it points: a link named *.md is named as the user sees it.
    for candidate in (Path(os.path.abspath(path)), path.resolve()):
        if candidate.is_relative_to(here):
            return printable(str(candidate.relative_to(here)))
    return printable(str(path))
