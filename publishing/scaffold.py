"""`invoke new "Title"`: a new article with complete front matter and a skeleton of what the products support."""

from __future__ import annotations

from pathlib import Path

from .article import slug_from_filename
from .errors import PublishingError
from .site import Site
from .skeleton import SKELETON


def new_article(site: Site, title: str) -> Path:
    """Create sources/<slug>.md for ``title``; refuse to overwrite an existing article."""
    title = " ".join(title.split())
    if not title:
        raise PublishingError(None, "the article needs a title", hint='run: invoke new "Sleep and Mood"')
    slug = slug_from_filename(title + ".md")
    if not slug:
        raise PublishingError(
            None, f"cannot make a file name from {title!r}", hint="use letters or digits in the title"
        )
    path = site.folders.sources / f"{slug}.md"
    if path.exists():
        raise PublishingError(
            path, "an article with this name already exists", hint="open it to edit it, or choose another title"
        )
    author = site.settings.default_author or site.settings.clinic_name
    text = SKELETON.format(title=_yaml_text(title), author=_yaml_text(author))
    from .files import write_new

    try:
        write_new(path, text)
    except FileExistsError:
        raise PublishingError(
            path, "an article with this name already exists", hint="open it to edit it, or choose another title"
        ) from None
    return path


def _yaml_text(value: str) -> str:
    """Quote a value for YAML when it holds characters YAML would read as syntax."""
    import json

    return json.dumps(value, ensure_ascii=False) if any(c in value for c in ":#{}[]&*!|>'\"%@`,") else value
