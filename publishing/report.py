"""What a build prints: a line per product for logs and CI, or a progress bar and a summary table
(rich) for a person at a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from .build import Outcome
from .characters import printable
from .errors import shown_path


def _terminal(stderr: bool = False):
    """The stream rich writes its colours to: the terminal itself, not the escaping wrapper (cli.run), since
    everything rich is given here is escaped first."""
    stream = sys.stderr if stderr else sys.stdout
    return getattr(stream, "raw", stream)


class PlainReport:
    """One line per built file, errors on stderr: quiet, greppable, the same in CI and in logs."""

    def __init__(self):
        self.reported: set[str] = set()

    def start(self, articles: int) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        if outcome.up_to_date:
            return
        if outcome.ok:
            for file in outcome.files:
                print(
                    f"built   {shown_path(file)}  ({file.stat().st_size / 1024:.0f} KB, {outcome.seconds:.1f} s)",
                    flush=True,
                )
            for warning in outcome.warnings:
                print(f"warning: {outcome.product}: {printable(warning)}", file=sys.stderr)
        elif outcome.error and outcome.error not in self.reported:  # each product fails the same way: say it once
            self.reported.add(outcome.error)
            print(outcome.error, file=sys.stderr, flush=True)

    def finish(self, outcomes: list[Outcome]) -> None:
        pass


class RichReport(PlainReport):
    """A progress bar while articles build (when there are more than a few), then a summary table."""

    PROGRESS_FROM = 4

    def __init__(self):
        super().__init__()
        from rich.console import Console

        self.console = Console(file=_terminal())
        self.progress = None
        self.done: set[Path] = set()

    def start(self, articles: int) -> None:
        if articles >= self.PROGRESS_FROM:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("Building"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("articles"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.progress.add_task("build", total=articles)
            self.progress.start()

    def outcome(self, outcome: Outcome) -> None:
        if outcome.error and outcome.error not in self.reported:
            self.reported.add(outcome.error)
            self.console.print(printable_lines(outcome.error), style="red", markup=False, highlight=False)
        for warning in outcome.warnings:
            self.console.print(f"warning: {outcome.product}: {printable(warning)}", style="yellow", markup=False)
        if self.progress is not None and not outcome.up_to_date and outcome.source not in self.done:
            self.done.add(outcome.source)
            self.progress.advance(self.task)

    def finish(self, outcomes: list[Outcome]) -> None:
        if self.progress is not None:
            self.progress.stop()
        built = [o for o in outcomes if not o.up_to_date]
        if not built:
            return
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Build summary", title_justify="left")
        for column, justify in (
            ("article", "left"),
            ("product", "left"),
            ("size", "right"),
            ("time", "right"),
            ("result", "left"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for outcome in built:
            size = sum(f.stat().st_size for f in outcome.files if f.is_file())
            table.add_row(
                Text(printable(outcome.source.stem)),  # a file name: neither markup nor escape codes
                outcome.product,
                f"{size / 1024:.0f} KB" if outcome.ok else "",
                f"{outcome.seconds:.1f} s" if outcome.ok else "",
                "[green]built and verified[/]" if outcome.ok else "[red]failed[/]",
            )
        self.console.print(table)


def printable_lines(text: str) -> str:
    """Several messages, one a line, each escaped."""
    return "\n".join(printable(line) for line in text.split("\n"))


def for_terminal() -> PlainReport:
    return RichReport() if sys.stdout.isatty() else PlainReport()


class CheckProgress:
    """What a check reports while it works (here: nothing; the CLI shows a bar or plain lines)."""

    def start(self, total: int, reused: int) -> None: ...
    def advance(self, what: str) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


class PlainCheckProgress(CheckProgress):
    """For logs and CI: a line when the checking starts and one when EPUBCheck runs, on stderr."""

    def start(self, total: int, reused: int) -> None:
        print(f"check: {total} check(s) to make, {reused} reused from the last run", file=sys.stderr, flush=True)

    def advance(self, what: str) -> None:
        pass

    def note(self, text: str) -> None:
        print(f"check: {text}", file=sys.stderr, flush=True)

    def finish(self) -> None:
        pass


class RichCheckProgress(PlainCheckProgress):
    """At a terminal: a bar with what is being checked."""

    def __init__(self):
        from rich.console import Console

        self.console = Console(file=_terminal(stderr=True))
        self.progress = None

    def start(self, total: int, reused: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("Checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task(f"({reused} reused)", total=total)
        self.progress.start()

    def advance(self, what: str) -> None:
        if self.progress is not None:
            from rich.markup import escape

            self.progress.update(self.task, advance=1, description=escape(printable(what)))

    def note(self, text: str) -> None:
        if self.progress is not None:
            from rich.markup import escape

            self.progress.update(self.task, description=escape(printable(text)))

    def finish(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def check_progress() -> PlainCheckProgress:
    return RichCheckProgress() if sys.stderr.isatty() else PlainCheckProgress()
