"""Build articles in forked processes that share one list of work, so they finish together.

Handouts need WeasyPrint, which takes 0.3 s to import; guides and newsletters do not. So one
worker is forked at once and starts on guides and newsletters, while this process builds the
first handout itself. That pays, once and in useful work, every first-use cost that handout
workers forked afterwards would otherwise each pay again: importing WeasyPrint, loading the fonts
and the hyphenation dictionary, compiling the CSS selectors (0.45 s in all, against 0.1 s for a
later handout). Then the handout workers are forked, and this process goes on building handouts
beside them. Everyone takes the next piece from the same list, oldest article first; the handout
workers also build guides and newsletters when those fall behind, so no core idles at the end
because the work was shared out badly in advance (a fixed split between a guide pool and a
handout pool cost about 10% of the build on two cores).
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
import traceback
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, cast

# A worker retires after this many pieces of work and a fresh one is forked. Memory stays flat
# without it (110 MB after building 100 articles in one process), so this is only insurance
# against a slow leak in a library.
PIECES_PER_WORKER = 100


@dataclass(frozen=True)
class Piece:
    """Some products of one article, built together in one worker."""

    position: int  # the article's place in article order
    source: Path
    products: tuple[str, ...]
    needs_weasyprint: bool = False


class _SharedList:
    """The pieces of work in article order and how far each kind has been taken, shared by
    every worker (the counters live in shared memory, the pieces are inherited when forking)."""

    def __init__(self, context, pieces: list[Piece]):
        self.without_weasyprint = [piece for piece in pieces if not piece.needs_weasyprint]
        self.with_weasyprint = [piece for piece in pieces if piece.needs_weasyprint]
        self._taken = context.RawArray("i", 2)  # pieces taken of each list
        self._lock = context.Lock()

    def take(self, can_build_handouts: bool, only_handouts: bool = False) -> Piece | None:
        """The oldest piece this process can build, or None when there is none left for it."""
        with self._lock:
            other = None if only_handouts else self._next(self.without_weasyprint, 0)
            weasy = self._next(self.with_weasyprint, 1) if can_build_handouts else None
            if weasy and (other is None or weasy.position <= other.position):
                self._taken[1] += 1
                return weasy
            if other:
                self._taken[0] += 1
                return other
            return None

    def left_for(self, can_build_handouts: bool) -> bool:
        with self._lock:
            return bool(
                self._next(self.without_weasyprint, 0) or (can_build_handouts and self._next(self.with_weasyprint, 1))
            )

    def _next(self, pieces: list[Piece], kind: int) -> Piece | None:
        taken = self._taken[kind]
        return pieces[taken] if taken < len(pieces) else None


@dataclass
class _Worker:
    process: Any
    messages: Connection
    can_build_handouts: bool
    holding: Piece | None = None
    finished: int = 0


def _serve(shared: _SharedList, messages: Connection, can_build_handouts: bool, build: Callable[[Piece], Any]) -> None:
    """A worker's life: take pieces until none is left or it has built its share, report each."""
    # Ctrl-C reaches every process of the terminal; the parent stops the workers itself, with
    # SIGTERM, which unwinds the piece being built so its staging folder is removed. SIGINT came
    # blocked from the fork (see fork()): ignoring it first drops one that arrived meanwhile.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    piece = None
    try:
        for _ in range(PIECES_PER_WORKER):
            piece = shared.take(can_build_handouts)
            if piece is None:
                return
            messages.send(("started", piece))
            messages.send(("finished", piece, build(piece)))
    except (BrokenPipeError, ConnectionResetError):
        return  # the parent is gone (stopped with Ctrl+C, or killed): nobody wants the rest
    except Exception:  # a bug, not a user's mistake: the parent stops the build and shows it
        messages.send(("crashed", piece, traceback.format_exc()))
    finally:
        messages.close()


class WorkerCrashed(RuntimeError):
    """A worker raised an unexpected exception (a bug in the pipeline); its traceback is the message."""


def build_in_workers(
    pieces: list[Piece],
    jobs: int,
    build: Callable[[Piece], Any],
    prepare: Callable[[], None],
    lost: Callable[[Piece, str], Any],
) -> Generator[tuple[Piece, Any], None, None]:
    """Yield ``(piece, build(piece))`` as the pieces are finished (not in order).

    ``prepare`` warms this process up before it forks workers for guides and newsletters alone;
    when there are handouts too, the worker forked first imports what it needs itself, while this
    process builds the first handout. A worker that dies while building (killed, or crashed inside
    a C library) yields ``lost(piece, reason)`` instead."""
    pool = _Pool(pieces, build, lost)
    shared = pool.shared
    try:
        if not shared.with_weasyprint:
            prepare()
            for _ in range(min(jobs, len(shared.without_weasyprint))):
                pool.fork(can_build_handouts=False)
        else:
            if shared.without_weasyprint:
                pool.fork(can_build_handouts=False)  # imports what it needs itself, while this process works
            first = shared.take(can_build_handouts=True)
            assert first is not None  # there are pieces that need WeasyPrint
            yield first, build(first)
            for _ in range(min(jobs, len(shared.with_weasyprint)) - 1):
                pool.fork(can_build_handouts=True)
            # This process is the last of the ``jobs`` handout builders: warm already, and one fork
            # fewer (a fork costs its share of copied pages, ~10,000 of them here). It leaves guides
            # and newsletters to the workers, which have imported what those need.
            while (piece := shared.take(can_build_handouts=True, only_handouts=True)) is not None:
                yield piece, build(piece)
                yield from pool.receive(block=False)
        while pool.workers:
            yield from pool.receive(block=True)
    finally:
        pool.stop()


class _Pool:
    """The workers of one build, forked as the work needs them, each answering on a pipe of its own."""

    def __init__(self, pieces: list[Piece], build: Callable[[Piece], Any], lost: Callable[[Piece, str], Any]):
        self.context = multiprocessing.get_context("fork")
        self.shared = _SharedList(self.context, pieces)
        self.workers: dict[Connection, _Worker] = {}
        self.build, self.lost = build, lost

    def fork(self, can_build_handouts: bool) -> None:
        receiver, sender = self.context.Pipe(duplex=False)
        # Objects made so far are left out of garbage collection while forking, so collecting in a
        # worker does not touch (and copy) every page it shares with this process.
        gc.freeze()
        process = self.context.Process(
            target=_serve, args=(self.shared, sender, can_build_handouts, self.build), daemon=True
        )
        # A Ctrl-C that lands while the worker is being forked would stop it with a KeyboardInterrupt
        # (and its traceback) before it could ignore the signal: the worker is born with SIGINT
        # blocked, and this process takes its own Ctrl-C as soon as the fork is done.
        interruptible = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, interruptible)
        gc.unfreeze()
        sender.close()  # the worker holds the only sending end: its exit shows as end of file
        self.workers[receiver] = _Worker(process, receiver, can_build_handouts)

    def receive(self, block: bool) -> Iterator[tuple[Piece, Any]]:
        """Handle what the workers have sent; with ``block``, wait until at least one has."""
        workers = self.workers
        for ready in wait(list(workers), timeout=None if block else 0):
            receiver = cast(Connection, ready)  # wait() returns the connections it was given
            worker = workers[receiver]
            try:
                message = receiver.recv()
            except EOFError:
                del workers[receiver]
                yield from _retire(worker, self.lost)
                # Retired after its share, or killed: if work is left, a fresh worker takes it on.
                stopped_early = worker.finished == PIECES_PER_WORKER or worker.process.exitcode != 0
                if stopped_early and self.shared.left_for(worker.can_build_handouts):
                    self.fork(worker.can_build_handouts)
                continue
            kind, piece, *rest = message
            if kind == "started":
                worker.holding = piece
            elif kind == "finished":
                worker.holding = None
                worker.finished += 1
                yield piece, rest[0]
            else:
                raise WorkerCrashed(
                    f"building {piece.source.name if piece else 'an article'} "
                    f"failed inside the pipeline (please report this):\n{rest[0]}"
                )

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.process.terminate()
        for worker in self.workers.values():
            worker.process.join()


def _retire(worker: _Worker, lost: Callable[[Piece, str], Any]) -> Iterator[tuple[Piece, Any]]:
    worker.process.join()
    worker.messages.close()
    if worker.holding:
        code = worker.process.exitcode
        how = f"was stopped by {signal.Signals(-code).name}" if code and code < 0 else f"exited with code {code}"
        yield worker.holding, lost(worker.holding, f"the process building it {how}")
