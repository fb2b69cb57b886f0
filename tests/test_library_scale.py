"""A library of many articles, each with its translations: discovery pairs every translation with its
own article and still refuses one that has none (found by slug, not by scanning every source)."""

from __future__ import annotations

from pathlib import Path

from publishing.catalogue import catalogue


def _write(path: Path, title: str, lang: str = "") -> None:
    language = f"lang: {lang}\n" if lang else ""
    path.write_text(f"---\ntitle: {title}\n{language}---\n\nText.\n", encoding="utf-8")


def test_every_translation_among_many_is_the_edition_of_its_own_article(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    for number in range(40):
        _write(sources / f"article-{number:02d}.md", f"Article {number}")
        _write(sources / f"article-{number:02d}.es.md", f"Artículo {number}", "es-US")
    _write(sources / "orphan.es.md", "Sin artículo", "es-US")

    found = catalogue(sources)

    for number in range(40):
        translation = sources / f"article-{number:02d}.es.md"
        assert found.original(translation) == sources / f"article-{number:02d}.md"
        assert found.name(translation) == f"article-{number:02d}.es"
    assert found.original(sources / "article-07.md") is None  # an article translates nothing
    assert list(found.refused) == [sources / "orphan.es.md"]
    assert "this translation has no article to translate: there is no article with the slug 'orphan'" in str(
        found.refused[sources / "orphan.es.md"]
    )


def test_an_article_whose_front_matter_gives_the_slug_is_the_one_its_translation_follows(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "sleep.md").write_text("---\ntitle: Sleep and Mood\nslug: rest\n---\n\nText.\n", encoding="utf-8")
    _write(sources / "rest.es.md", "Sueño", "es-US")

    found = catalogue(sources)

    assert found.original(sources / "rest.es.md") == sources / "sleep.md"
    assert not found.refused
