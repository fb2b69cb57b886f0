"""Writing files so that a full disk, a read-only folder or another file system never leaves half a file
where staff would open it, and is said as `path: error: cannot write ...`, not a traceback."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from .errors import PublishingError, shown_path

# What the machine says when a file cannot be written: the user's to fix (space, permissions, a
# read-only share), not the pipeline's bug.
CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EXDEV}


def cannot_write(path: Path | None, error: OSError, folder: str = "the folder") -> PublishingError:
    where = path if path is not None else (Path(error.filename) if error.filename else None)
    return PublishingError(
        where,
        f"cannot write {shown_path(where) if where else 'a file'}: {error.strerror or error}",
        hint=f"free some disk space and make {folder} writable, then run the command again; "
        "nothing half-written was left",
    )


def write_new(path: Path, text: str, folder: str = "the sources folder") -> None:
    """Create ``path`` with ``text``, all or nothing, never replacing a file already there (FileExistsError)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.link(temporary, path)  # fails if the file appeared meanwhile: never overwritten, even in a race
    except OSError as error:
        if isinstance(error, FileExistsError) and error.filename == str(path):
            raise
        if error.errno not in CANNOT_WRITE:
            raise
        raise cannot_write(path, error, folder) from None
    finally:
        remove_quietly(temporary)


def replace_file(path: Path, text: str, folder: str = "the sources folder") -> None:
    """Replace ``path`` with ``text``, all or nothing."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        remove_quietly(temporary)
        if error.errno not in CANNOT_WRITE:
            raise
        raise cannot_write(path, error, folder) from None


def move_into_place(file: Path, target: Path) -> None:
    """Move a proven product from staging into build/: a rename, or across file systems (build/handouts/
    mounted on its own) a copy into the target's folder, flushed to disk, then a rename there."""
    try:
        os.replace(file, target)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with file.open("rb") as source, temporary.open("wb") as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
        os.replace(temporary, target)
    finally:
        remove_quietly(temporary)
    file.unlink()


def remove_quietly(path: Path) -> None:
    """Delete a temporary file if it is there; a read-only folder may refuse even that."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass
