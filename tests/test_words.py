"""Every word the layouts and products print comes from a message catalog per language (layouts/locale/):
the catalogs hold every message the code uses, each translated; an untranslated or unknown message stops
a build in that language instead of printing English."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import ROOT, SAMPLE, copy_project, pdf_pages

LOCALE = ROOT / "layouts" / "locale"
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))


def _ids(catalog) -> set[str]:
    return {message.id[0] if isinstance(message.id, tuple | list) else message.id for message in catalog if message.id}


def test_there_is_a_spanish_catalog():
    assert LOCALE / "es" / "LC_MESSAGES" / "messages.po" in CATALOGS


def test_every_message_the_code_prints_is_in_the_template_and_translated_in_every_catalog(tmp_path):
    """pybabel itself (as `invoke messages` runs it) finds what the layouts and the pipeline print."""
    from publishing.words import extract_command

    extracted = tmp_path / "extracted.pot"
    result = subprocess.run(extract_command(Path("."), extracted), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "layouts/_partials/required.html" in result.stderr  # the partials are read too
    with extracted.open("rb") as file:
        found = _ids(read_po(file))
    assert {"Page %(page)s of %(pages)s", "Call %(number)s", "Contents", "Unsubscribe"} <= found
    with (LOCALE / "messages.pot").open("rb") as file:
        template = _ids(read_po(file))
    assert found - template == set(), "run invoke messages"
    for path in CATALOGS:
        with path.open("rb") as file:
            catalog = read_po(file, locale=path.parents[1].name)
        for message in catalog:
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            if key not in found:
                continue
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            assert all(strings), f"{path}: {key!r} is not translated"
            assert not message.fuzzy, f"{path}: {key!r} is fuzzy"
        assert found - _ids(catalog) == set(), f"{path} lacks messages: run invoke messages"


def test_an_empty_translation_stops_spanish_at_its_line(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    po = project / "layouts/locale/es/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Página %(page)s de %(pages)s"', 'msgstr ""')
    po.write_text(text, encoding="utf-8")
    line = text.splitlines().index('msgid "Page %(page)s of %(pages)s"') + 1
    monkeypatch.chdir(project)
    from publishing.errors import PublishingError
    from publishing.words import load_words

    with pytest.raises(PublishingError) as caught:
        load_words(project / "layouts", "es", default=False)
    assert str(caught.value) == (
        f"layouts/locale/es/LC_MESSAGES/messages.po:{line}: error: no Spanish for 'Page %(page)s of %(pages)s' "
        "(its translation is empty); translate it in layouts/locale/es/LC_MESSAGES/messages.po"
    )


def test_a_fuzzy_translation_does_not_count(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    po = project / "layouts/locale/es/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8").replace('msgid "Contents"', '#, fuzzy\nmsgid "Contents"')
    po.write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    from publishing.errors import PublishingError
    from publishing.words import load_words

    with pytest.raises(PublishingError, match=r"no Spanish for 'Contents' \(its translation is marked fuzzy\)"):
        load_words(project / "layouts", "es", default=False)


def test_a_missing_catalog_names_the_file(tmp_path, monkeypatch):
    project = copy_project(tmp_path)
    monkeypatch.chdir(project)
    from publishing.errors import PublishingError
    from publishing.words import load_words

    with pytest.raises(PublishingError, match=r"^layouts/locale/fr/LC_MESSAGES/messages.po: error: no French message"):
        load_words(project / "layouts", "fr", default=False)


def _site(project: Path):
    from publishing.site import load_site

    return load_site(project)


def test_a_new_message_not_in_the_catalog_stops_a_spanish_render_instead_of_printing_english(tmp_path):
    project = copy_project(tmp_path)
    cover = project / "layouts/guide/cover.xhtml"
    cover.write_text(
        cover.read_text(encoding="utf-8").replace(
            "</section>", "<p>{% trans %}Brand-new words{% endtrans %}</p>\n</section>"
        ),
        encoding="utf-8",
    )
    site = _site(project)
    context = {"cover_image": "cover.png", "cover_alt": "x"}
    assert "<p>Brand-new words</p>" in site.render("guide/cover.xhtml", **context)
    from publishing.errors import PublishingError

    with pytest.raises(
        PublishingError, match=r"no Spanish for 'Brand-new words'.*printed by layouts/guide/cover.xhtml"
    ):
        site.in_language("es-US").render("guide/cover.xhtml", **context)
    with pytest.raises(PublishingError, match="no Spanish for 'Brand-new words'"):
        site.in_language("es-US")._("Brand-new words")


def test_spanish_layouts_print_spanish_words():
    site = _site(ROOT).in_language("es-US")
    cover = site.render("guide/cover.xhtml", cover_image="cover.png", cover_alt="x")
    assert "<title>Portada</title>" in cover
    assert site._("Page %(page)s of %(pages)s", page=1, pages=3) == "Página 1 de 3"
    assert site.words.ngettext("%(num)s article for patients", "%(num)s articles for patients", 3) == (
        "3 artículos para pacientes"
    )


def test_dates_follow_the_language():
    from publishing.dates import long_date

    day = dt.date(2026, 5, 4)
    assert long_date(day) == "May 4, 2026"
    assert long_date(day, "es") == "4 de mayo de 2026"
    es = _site(ROOT).in_language("es-US")
    from publishing.templates import environment

    assert environment(es.folders.layouts, es.words).filters["long_date"](day) == "4 de mayo de 2026"


def test_the_english_handout_still_counts_its_pages_in_english(sample_build):
    pages = pdf_pages(sample_build / "handouts" / f"{SAMPLE}.pdf")
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"Page {number} of {len(pages)}\b", text), text[-300:]


def test_a_spanish_handout_counts_its_pages_in_spanish(tmp_path):
    from publishing.article import load_article
    from publishing.products.handout.render import render_pdf

    site = _site(ROOT)
    spanish = site.in_language("es-US")
    article = load_article(ROOT / "sources" / f"{SAMPLE}.md", site.settings, site.folders.sources)
    target = tmp_path / "es.pdf"
    render_pdf(article, spanish, target, "office")
    pages = pdf_pages(target)
    assert all(f"Página {number} de {len(pages)}" in text for number, text in enumerate(pages, start=1))
    assert "Page 1" not in pages[0]
    assert "Llame al 988" in " ".join(pages[0].split())


def test_english_needs_no_babel(tmp_path):
    """A build that builds nothing never imports Babel: the default language's words are its messages."""
    code = (
        "import sys; from pathlib import Path; from publishing.site import load_site; "
        f"site = load_site(Path({str(ROOT)!r})); site.words; site._('Contents'); "
        "print('babel' in sys.modules)"
    )
    result = subprocess.run(["python", "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.strip() == "False", result.stderr
