"""Parallel builds share the work fairly and never lose an article silently, whatever happens to a worker."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import time
from pathlib import Path

import pytest

from publishing import build, workers
from publishing.site import load_site
from publishing.workers import Piece, WorkerCrashed, build_in_workers

from conftest import FIXTURES, add_copies, copy_project


def pieces(count: int) -> list[Piece]:
    """For each article a guide-and-newsletter piece and a handout piece, as a build makes them."""
    return [
        Piece(position, Path(f"article-{position}.md"), products, needs_weasyprint=products == ("handout",))
        for position in range(count)
        for products in (("guide", "newsletter"), ("handout",))
    ]


def run(work: list[Piece], build_piece, jobs: int = 2) -> list[tuple[Piece, object]]:
    return list(
        build_in_workers(work, jobs, build_piece, prepare=lambda: None, lost=lambda piece, reason: f"lost: {reason}")
    )


def test_every_piece_is_built_exactly_once_and_workers_are_replaced_as_they_retire(monkeypatch):
    monkeypatch.setattr(workers, "PIECES_PER_WORKER", 3)  # retire early, so many replacements are forked
    # Without WeasyPrint pieces this process only hands out work: the workers build everything.
    work = [piece for piece in pieces(15) if not piece.needs_weasyprint]
    finished = run(work, lambda piece: os.getpid())
    assert sorted((p.position, p.products) for p, _ in finished) == sorted((p.position, p.products) for p in work)
    by_workers = [pid for _, pid in finished]
    assert os.getpid() not in by_workers
    assert all(by_workers.count(pid) <= 3 for pid in set(by_workers))
    assert len(set(by_workers)) >= len(work) // 3 == 5
    assert not multiprocessing.active_children()


def test_handout_workers_take_the_oldest_work_and_help_with_guides_that_fall_behind():
    shared = workers._SharedList(multiprocessing.get_context("fork"), pieces(3))
    taken = [
        shared.take(can_build_handouts=True),
        shared.take(can_build_handouts=False),
        shared.take(can_build_handouts=True),
        shared.take(can_build_handouts=True),
    ]
    assert [(p.position, p.products) for p in taken] == [
        (0, ("handout",)),
        (0, ("guide", "newsletter")),
        (1, ("handout",)),
        (1, ("guide", "newsletter")),
    ]
    # Whatever is left, a worker without WeasyPrint takes only what it can build.
    assert shared.take(can_build_handouts=False).products == ("guide", "newsletter")
    assert shared.take(can_build_handouts=False) is None
    assert shared.take(can_build_handouts=True).products == ("handout",)
    assert not shared.left_for(can_build_handouts=True)


def test_a_worker_killed_while_building_loses_only_its_piece_and_says_how(tmp_path):
    parent, once = os.getpid(), tmp_path / "killed"

    def build_piece(piece):
        if piece.products == ("handout",) and os.getpid() == parent and piece.position > 0:
            # This process builds handouts too, and quickly enough to take them all before a handout
            # worker is up: it waits (for the event, not a set time) until a worker has taken one.
            while not once.exists():
                time.sleep(0.01)
        if piece.products == ("handout",) and os.getpid() != parent:
            try:
                os.close(os.open(once, os.O_CREAT | os.O_EXCL))  # the first worker handout, only
            except FileExistsError:
                return "built"
            os.kill(os.getpid(), signal.SIGKILL)
        return "built"

    finished = run(pieces(8), build_piece, jobs=3)
    assert sorted((p.position, p.products) for p, _ in finished) == sorted((p.position, p.products) for p in pieces(8))
    lost = [result for _, result in finished if result != "built"]
    assert lost == ["lost: the process building it was stopped by SIGKILL"]
    assert not multiprocessing.active_children()


def test_a_bug_in_a_worker_stops_the_build_and_shows_where():
    parent = os.getpid()

    def build_piece(piece):
        if os.getpid() != parent:
            raise ZeroDivisionError("a bug")
        return "built"

    with pytest.raises(WorkerCrashed) as crash:
        run(pieces(6), build_piece)
    assert re.search(r"building article-\d\.md failed inside the pipeline \(please report this\)", str(crash.value))
    assert "ZeroDivisionError: a bug" in str(crash.value) and "Traceback" in str(crash.value)
    assert not multiprocessing.active_children()


def test_a_killed_worker_fails_its_article_and_every_other_article_is_built(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    shutil.copy(FIXTURES / "rich" / "how-we-support-you.md", project / "sources")
    shutil.copytree(FIXTURES / "rich" / "images", project / "sources" / "images")
    add_copies(project, 3)
    victim = "copy-1"
    parent = os.getpid()
    real_build_article = build.build_article

    def build_article(site, source, products, *options):
        if source.stem == victim and "guide" in products and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_build_article(site, source, products, *options)

    monkeypatch.setattr(build, "build_article", build_article)
    monkeypatch.chdir(project)
    site = load_site(project)
    shown: list = []
    outcomes = build.build_all(site, list(build.PRODUCTS), jobs=2, on_outcome=shown.append)

    articles = sorted(p.stem for p in (project / "sources").glob("[!_]*.md"))
    # Every article's products, in article order (then what is built for the library as a whole).
    per_article = [o.source.stem for o in outcomes if o.source.suffix == ".md"]
    assert list(dict.fromkeys(per_article)) == articles
    assert all(per_article.count(name) == per_article.count(articles[0]) for name in articles)
    # Shown as they finish, yet in article order and each article's products in their usual order: first
    # what reads no other product's files, then the web pages (their downloads are the files just built).
    first = [(o.source.stem, o.product) for o in outcomes if o.product != "web"]
    late = [(o.source.stem, o.product) for o in outcomes if o.product == "web"]
    assert [(o.source.stem, o.product) for o in shown] == first[: len(first) - 1] + late + first[-1:]
    failed = {(o.source.stem, o.product): o.error for o in outcomes if not o.ok}
    assert set(failed) == {(victim, "guide"), (victim, "newsletter")}
    assert failed[(victim, "guide")] == (
        f"sources/{victim}.md: error: building the guide stopped unexpectedly: the process building it "
        "was stopped by SIGKILL; build again, and report it if it happens again"
    )
    assert (project / "build" / "handouts" / f"{victim}.pdf").exists()
    assert not (project / "build" / "guides" / f"{victim}.epub").exists()
    assert all(
        (project / "build" / "guides" / f"{o.source.stem}.epub").exists()
        for o in outcomes
        if o.ok and o.product == "guide"
    )
    # The next build redoes only what was lost.
    monkeypatch.setattr(build, "build_article", real_build_article)
    again = [o for o in build.build_all(site, list(build.PRODUCTS), jobs=2) if not o.up_to_date]
    # (and its web page, whose downloads now include the guide)
    assert {(o.source.stem, o.product) for o in again} == {(victim, "guide"), (victim, "newsletter"), (victim, "web")}
    assert all(o.ok for o in again)
