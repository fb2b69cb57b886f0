"""What the gate may believe of what it finds: only what this user's gate wrote.

build/ is a place anything can write (a restored CI cache, a shared folder, a colleague's copy). A
verdict in build/.gate-cache.json whose key matches proves nothing by itself: the key is a digest of
public inputs, so anyone can compute it and write "pass" beside a truncated PDF. So each entry is
signed with an HMAC under a key that lives in this user's cache folder, outside the project (made
0700, its key 0600, refused when someone else can write there); an entry without a valid signature
is a miss, and the check runs again. The compiled EPUBCheck helper lives in the same folder, named
by the digest of what it was compiled from, and is run only when its own digest matches the one
recorded, signed, when it was compiled.

Re-deriving instead (running every check each time) would be the simplest trust, but it would
give up the cache's whole point (0.2 s for an unchanged library instead of 6.6 s).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from functools import cache
from pathlib import Path

CACHE_VARIABLE = "XDG_CACHE_HOME"


def user_folder() -> Path | None:
    """This user's private folder for the gate (created 0700), or None when it is not private."""
    base = Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache")
    folder = base / "clinic-publishing"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError:
        return None
    private = (
        stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
    return folder if private else None


@cache
def _key(folder: Path) -> bytes:
    path = folder / "gate-key"
    try:
        key = path.read_bytes()
        if len(key) == 32 and path.stat().st_uid == os.getuid():
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    temporary = folder / f".gate-key.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    os.replace(temporary, path)
    return key


def signature(name: str, entry: dict) -> str | None:
    """The HMAC of a cache entry (without its own signature), or None where there is no private key."""
    folder = user_folder()
    if folder is None:
        return None
    text = json.dumps([name, {k: v for k, v in entry.items() if k != "mac"}], sort_keys=True)
    return hmac.new(_key(folder), text.encode(), hashlib.sha256).hexdigest()


def signed_by_this_user(name: str, entry: dict) -> bool:
    expected = signature(name, entry)
    given = entry.get("mac")
    return expected is not None and isinstance(given, str) and hmac.compare_digest(expected, given)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
