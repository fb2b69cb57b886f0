"""A renderer's failure is a failed product, not a traceback.

WeasyPrint, ebooklib, lxml, the CSS inliner and Jinja can fail on a layout they cannot handle (a
``transform: scale(0)`` WeasyPrint's PDF tagging trips on, an emptied guide page lxml cannot parse).
Staff then see, for that article only, which product could not be made with which layout files and
the renderer's own words; the traceback goes to a log file the message names, for whoever maintains
the pipeline. An exception raised by the pipeline's own code is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PublishingError, shown_path

if TYPE_CHECKING:
    from .products import Product, Subject
    from .site import Site

LOG_FOLDER = ".logs"  # in build/: a dot folder, which no product, preview or check takes for a product
_WORDS_LIMIT = 300  # the renderer's words on one line; the log holds them in full


def renderer_failure(
    site: Site, product: Product, subject: Subject, variant: str, error: Exception
) -> PublishingError | None:
    """The failed product's error when ``error`` was raised inside one of ``product.renderers`` or a
    layout's template code; None when the pipeline's own code raised it (a bug)."""
    from .files import CANNOT_WRITE

    if isinstance(error, OSError) and error.errno in CANNOT_WRITE:
        return None  # a full disk or a read-only build/ is reported as such (build.py)
    if not raised_by_renderer(error, product.renderers, site.folders.layouts):
        return None
    # A template that failed as it ran is named, at its line; else every layout the product reads.
    at = template_at(error, site.folders.layouts)
    layouts = [at[0]] if at else product.rendered_with(site.folders.layouts, variant)
    log = _write_log(site, product, subject, variant, error, layouts)
    words = " ".join(str(error).split())
    if len(words) > _WORDS_LIMIT:
        words = words[: _WORDS_LIMIT - 1] + "…"
    words = f"{type(error).__name__}: {words}" if words else type(error).__name__
    return PublishingError(
        subject.source,
        f"{product.label(variant)} could not be rendered with {_listed(site, layouts)}"
        + (f" (line {at[1]})" if at else "")
        + f": {words}",
        hint=f"undo the last change to {'it' if len(layouts) == 1 else 'them'}"
        + (f"; the full report is in {shown_path(log)}" if log else "; the full report could not be written"),
    )


def raised_by_renderer(error: BaseException, packages: tuple[str, ...], layouts: Path) -> bool:
    """Whether the innermost frame that is either the pipeline's or a renderer's is a renderer's (or
    a template's): a renderer that calls back into the pipeline (a URL fetcher, a PDF finisher) and
    fails there is the pipeline's failure. Exceptions a renderer defines count as its own, since
    compiled renderers (lxml, the inliner) leave no frames of their own to see."""
    if type(error).__module__.partition(".")[0] in packages:
        return True
    templates = os.path.realpath(layouts) + os.sep
    found = False
    frame = error.__traceback__
    while frame is not None:
        package = str(frame.tb_frame.f_globals.get("__name__", "")).partition(".")[0]
        filename = frame.tb_frame.f_code.co_filename
        if package in packages or os.path.realpath(filename).startswith(templates):
            found = True
        elif package == "publishing":
            found = False
        frame = frame.tb_next
    return found


def template_at(error: BaseException, layouts: Path) -> tuple[Path, int] | None:
    """The layout file and line of the innermost template code that ran when ``error`` was raised
    (Jinja gives template frames their file's name and line), if any."""
    templates = os.path.realpath(layouts) + os.sep
    found = None
    frame = error.__traceback__
    while frame is not None:
        filename = os.path.realpath(frame.tb_frame.f_code.co_filename)
        if filename.startswith(templates):
            found = Path(filename), frame.tb_lineno
        frame = frame.tb_next
    return found


def _listed(site: Site, layouts: list[Path]) -> str:
    """The files as the layouts call them (layouts/handout/handout.css), wherever the build runs."""
    folder = Path(os.path.realpath(site.folders.layouts))
    names = [
        f"{folder.name}/{Path(os.path.realpath(path)).relative_to(folder).as_posix()}"
        if Path(os.path.realpath(path)).is_relative_to(folder)
        else shown_path(path)
        for path in layouts
    ] or [f"{folder.name}/"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def log_path(site: Site, product: Product, subject: Subject, variant: str) -> Path:
    """build/.logs/<slug>-<product>[-<variant>].log: one per product of one subject, the last failure's."""
    key = product.state_key(variant).replace(":", "-").replace(" ", "-")
    return site.folders.out / LOG_FOLDER / f"{subject.name}-{key}.log"


def _write_log(
    site: Site, product: Product, subject: Subject, variant: str, error: Exception, layouts: list[Path]
) -> Path | None:
    """The traceback, written whole or not at all; None when it could not be written (the product's
    failure is still reported)."""
    log = log_path(site, product, subject, variant)
    text = (
        f"{product.label(variant)} of {shown_path(subject.source)} could not be rendered with "
        f"{_listed(site, layouts)}.\n\n" + "".join(traceback.format_exception(error))
    )
    temporary = log.with_name(f".{log.name}.{os.getpid()}.tmp")
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, log)
    except OSError:
        temporary.unlink(missing_ok=True)
        return None
    return log
