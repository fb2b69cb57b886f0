"""A no-op build told apart from the file system's record of changes, without reading the library.

A build that finds every product up to date has read every source, layout, catalog, required block,
setting, font and picture, hashed each, and compared thousands of fingerprints (state.py): a library
of 10,000 editions would take seconds to learn that nothing changed. So such a build, once it has
found that the slow way, leaves a note in build/ (``NOTE_FILE``): what the file system says of every
file it could have read, taken before it read them, and which files build/ holds (a no-op build reads
only its record there, never a product's bytes). Each file read is noted by its place, size, inode,
device and modification and change times. The change time (st_ctime) is
set by the system on every write, rename or touch and cannot be set back by a program, unlike the
modification time, so an edit that keeps a file's size and its modification time still shows.

The next build with the same options surveys the same files. Only when every file is exactly as
noted, none added, none gone, does it answer as the last one did, without reading a file. Anything
else sends it the slow way, which hashes the contents as before (modification times alone are never
trusted): a file edited, touched, added, removed or renamed; a product deleted; the record replaced;
other options; another SOURCE_DATE_EPOCH.

A file changed just before the survey could change again within the same tick of the file system's
clock and keep its times (git's "racily clean" index entries): when a noted file changed less than
``RACY_NS`` before the survey, no note is left, and the next build goes the slow way (and notes then).
The gate never uses the note: its stale-product check (gate/freshness.py) compares the contents.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from stat import S_ISDIR

from .folders import Folders

NOTE_FILE = ".publishing-unchanged.json"
# Longer than the coarsest clock a file system keeps file times by (FAT: 2 s; ext3, HFS+: 1 s).
RACY_NS = 3_000_000_000
# Not read by any build: Python's compiled code (written when the code is imported) and the note itself.
_SKIPPED = frozenset(("__pycache__", NOTE_FILE, NOTE_FILE + ".tmp"))


class Unknown(Exception):
    """A file the survey could not look at (gone while listed, unreadable): nothing is vouched for."""


def answer(folders: Folders, options: dict[str, str | None]) -> str | None:
    """What the last no-op build with these options said, when no file it could have read, and none in
    build/, changed since it looked; None when anything did, or there is no note (the slow way)."""
    try:
        note = json.loads((folders.out / NOTE_FILE).read_text(encoding="utf-8"))
        if not isinstance(note, dict) or note.get("key") != _key(folders, options):
            return None
        extra = [Path(name) for name in note["extra"] if isinstance(name, str)]
        if _survey([*_read_by_a_build(folders), *extra])[0] != note["inputs"]:
            return None
        if _built(folders.out) != note["outputs"]:
            return None
    except (OSError, ValueError, KeyError, TypeError, Unknown):
        return None  # no note, a damaged one, a file that could not be looked at: the slow way
    message = note.get("message")
    return message if isinstance(message, str) else None


class Survey:
    """What the file system says of every file a build could read, and of build/, taken before the build
    reads them."""

    def __init__(self, folders: Folders, options: dict[str, str | None], extra: list[Path]):
        self.folders, self.options, self.extra = folders, options, sorted({str(path) for path in extra})
        Survey.forget(folders)  # a build stopped halfway leaves no note behind
        self.taken_at = time.time_ns()
        self.inputs: str | None
        self.outputs: str | None
        try:
            self.inputs, self.newest = _survey([*_read_by_a_build(folders), *map(Path, self.extra)])
            self.outputs = _built(folders.out)
        except Unknown:
            self.inputs = self.outputs = None

    def note(self, message: str) -> None:
        """Leave the note for the next build, which will answer ``message`` if nothing changed. None is
        left when the survey cannot vouch for what this build read: a file it could not look at, one
        changed too recently to tell a later change apart by its times, or build/ changed meanwhile (a
        product deleted while this build looked, a stopped build's staging folder tidied away)."""
        path = self.folders.out / NOTE_FILE
        try:
            if self.inputs is None or self.newest >= self.taken_at - RACY_NS:
                return
            if _built(self.folders.out) != self.outputs:
                return
            note = {
                "key": _key(self.folders, self.options),
                "inputs": self.inputs,
                "extra": self.extra,
                "outputs": self.outputs,
                "message": message,
            }
            temporary = path.with_name(path.name + ".tmp")
            temporary.write_text(json.dumps(note), encoding="utf-8")
            os.replace(temporary, path)
        except (OSError, Unknown):
            return  # a read-only build/, a file gone meanwhile: no note, the next build goes the slow way

    @staticmethod
    def forget(folders: Folders) -> None:
        try:
            (folders.out / NOTE_FILE).unlink(missing_ok=True)
        except OSError:
            pass


def _key(folders: Folders, options: dict[str, str | None]) -> str:
    """What the answer depends on besides files: the folders, the options, SOURCE_DATE_EPOCH."""
    facts = {
        "version": 1,
        "folders": [str(folders.root), str(folders.sources), str(folders.layouts), str(folders.out)],
        "options": options,
        "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _read_by_a_build(folders: Folders) -> list[Path]:
    """Every file or folder a build reads (inputs.py): the settings, the sources and the required
    blocks, the layouts and their catalogs, the pipeline's code and its fonts (the pictures an article
    shows are the survey's ``extra``, from the build's record)."""
    from .inputs import PACKAGE
    from .resources import font_dir

    return [
        folders.root / "pyproject.toml",
        folders.sources,
        folders.required_dir,
        folders.layouts,
        PACKAGE,
        font_dir(),
    ]


def _built(out: Path) -> str:
    """What a no-op build reads of build/: its record, whole, and which files are there (it never reads a
    product's bytes), as one digest. Listed without asking for each file's times: 20,000 products would
    take 0.1 s of system calls."""
    from .state import STATE_FILE

    names: list[str] = []
    _list_names(str(out), names)
    return hashlib.sha256(repr((_survey([out / STATE_FILE])[0], sorted(names))).encode()).hexdigest()


def _list_names(folder: str, names: list[str]) -> None:
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name in _SKIPPED:
                    continue
                if entry.is_dir(follow_symlinks=False):  # a link is a name here: never a loop
                    names.append(entry.path + os.sep)
                    _list_names(entry.path, names)
                else:
                    names.append(entry.path)
    except FileNotFoundError:
        names.append(f"{folder} (missing)")
    except OSError as error:
        raise Unknown(str(error)) from None


def _survey(places: list[Path]) -> tuple[str, int]:
    """One digest of every file under ``places`` (a folder's whole tree, symbolic links followed) by its
    place, size, inode, device, modification and change times; and the newest change time among them."""
    found: dict[str, tuple[int, ...]] = {}
    seen: set[tuple[int, int]] = set()
    for place in places:
        _note_place(str(place), found, seen)
    newest = max((facts[4] for facts in found.values()), default=0)
    return hashlib.sha256(repr(sorted(found.items())).encode()).hexdigest(), newest


def _note_place(place: str, found: dict[str, tuple[int, ...]], seen: set[tuple[int, int]]) -> None:
    try:
        facts = os.stat(place)
    except FileNotFoundError:
        found[place] = (-1, 0, 0, 0, 0)  # noted as missing: one added later is a change
        return
    except OSError as error:
        raise Unknown(str(error)) from None
    if not S_ISDIR(facts.st_mode):
        found[place] = (facts.st_size, facts.st_ino, facts.st_dev, facts.st_mtime_ns, facts.st_ctime_ns)
        return
    if (facts.st_dev, facts.st_ino) in seen:
        return  # a folder seen already (the required blocks inside sources/, or a link back up the tree)
    seen.add((facts.st_dev, facts.st_ino))
    try:
        names = sorted(name for name in os.listdir(place) if name not in _SKIPPED)
    except OSError as error:
        raise Unknown(str(error)) from None
    found[place + os.sep] = (len(names), facts.st_ino, facts.st_dev, 0, 0)
    for name in names:
        _note_place(os.path.join(place, name), found, seen)
