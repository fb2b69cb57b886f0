"""Editions in Spanish: a translation of the sample builds every product at the contract's paths, in
Spanish throughout (its own required blocks, its words, its dates, its language tags), never with an
English fallback; the gate knows which articles exist in which languages and which translations are
stale; `invoke translate` scaffolds a translation and records when it is brought up to date."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from email import policy
from email.parser import BytesParser
from pathlib import Path

import lxml.html
import pytest

from conftest import ROOT, SAMPLE, add_spanish_translation, copy_project, invoke
from extract import ace_violations, epub_documents, epubcheck, normalised, pdftotext
from wording import SPANISH_CRISIS, SPANISH_DISCLAIMER

SPANISH = f"{SAMPLE}.es"
SPANISH_FILES = {
    "handout": f"handouts/{SPANISH}.pdf",
    "large-print handout": f"handouts/{SPANISH}.large-print.pdf",
    "guide": f"guides/{SPANISH}.epub",
    "combined guide": "guides/patient-guide.es.epub",
    "newsletter html": f"newsletters/{SPANISH}.html",
    "newsletter text": f"newsletters/{SPANISH}.txt",
    "newsletter message": f"newsletters/{SPANISH}.eml",
}


def text_of(path: Path) -> str:
    """What a reader of the file reads, by tools apart from the pipeline: poppler for PDF, lxml for
    (X)HTML, the standard library's email parser for the message."""
    if path.suffix == ".pdf":
        return pdftotext(path, layout=False)  # in drawn order: side-by-side boxes one after the other
    if path.suffix == ".epub":
        return "\n".join(_markup_text(document.encode()) for document in epub_documents(path).values())
    if path.suffix == ".html":
        return _markup_text(path.read_bytes())
    if path.suffix == ".eml":
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        parts = [
            _markup_text(part.get_content().encode()) if part.get_content_type() == "text/html" else part.get_content()
            for part in message.walk()
            if part.get_content_type() in ("text/plain", "text/html")
        ]
        return "\n".join([str(message["Subject"]), *parts])
    return path.read_text(encoding="utf-8")


# What a screen reader says besides the text: descriptions, labels, titles.
SPOKEN_ATTRIBUTES = ("alt", "title", "aria-label", "aria-roledescription", "aria-description")


def _markup_text(data: bytes) -> str:
    document = lxml.html.document_fromstring(data)
    spoken = [value for element in document.iter() for name in SPOKEN_ATTRIBUTES if (value := element.get(name))]
    return "\n".join([document.text_content(), *spoken])


def package_text(path: Path) -> str:
    """The EPUB's package document and navigation: the metadata a reading system shows (title, the
    accessibility summary) and the contents list."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return "\n".join(
            " ".join(etree_text(archive.read(name))) for name in archive.namelist() if name.endswith((".opf", ".ncx"))
        )


def etree_text(data: bytes) -> list[str]:
    from lxml import etree

    return [text for text in etree.fromstring(data).itertext() if text.strip()]


# --- Every Spanish product, in Spanish -------------------------------------------------------------


@pytest.mark.parametrize("product", SPANISH_FILES)
def test_every_spanish_product_is_built_at_its_contract_path_with_the_spanish_required_blocks(spanish_build, product):
    path = spanish_build / "build" / SPANISH_FILES[product]
    assert path.is_file(), f"{product}: {path} was not built"
    text = normalised(text_of(path))
    for block in (SPANISH_CRISIS, SPANISH_DISCLAIMER):
        assert normalised(block.title) in text
        for sentence in block.sentences:
            assert normalised(sentence) in text, f"{product} lacks: {sentence}"
    assert "AYUDA" in text_of(path) and "marque2" in text  # what the Lifeline offers in Spanish


def test_the_english_products_stay_english_beside_the_spanish(spanish_build):
    english = pdftotext(spanish_build / "build" / "handouts" / f"{SAMPLE}.pdf")
    assert "Page 1 of" in english and "Página" not in english
    assert "AYUDA" not in english


def test_the_spanish_handout_footer_says_pagina_1_de_n(spanish_build):
    for name in (f"{SPANISH}.pdf", f"{SPANISH}.large-print.pdf"):
        pages = pdftotext(spanish_build / "build" / "handouts" / name).split("\f")[:-1]
        total = len(pages)
        for number, page in enumerate(pages, start=1):
            assert f"Página {number} de {total}" in page, (name, number)
        assert "Page 1 of" not in pages[0]


def test_the_spanish_pdf_epub_html_and_message_declare_spanish(spanish_build, tmp_path):
    build = spanish_build / "build"
    # PDF: the document catalog's /Lang, read by qpdf's JSON (an independent reader).
    for name in (f"{SPANISH}.pdf", f"{SPANISH}.large-print.pdf"):
        catalog = subprocess.run(
            ["qpdf", "--json", "--json-key=qpdf", str(build / "handouts" / name)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert re.search(r'"/Lang":\s*"u:es', catalog), name
    # EPUB: dc:language, the package's xml:lang, and every document's lang and xml:lang.
    for name in (f"{SPANISH}.epub", "patient-guide.es.epub"):
        documents = epub_documents(build / "guides" / name)
        import zipfile

        with zipfile.ZipFile(build / "guides" / name) as archive:
            opf = archive.read(next(n for n in archive.namelist() if n.endswith(".opf"))).decode()
        assert re.search(r"<dc:language>es(-US)?</dc:language>", opf), name
        assert re.search(r'<package[^>]*xml:lang="es', opf), name
        for document_name, document in documents.items():
            root = re.search(r"<html[^>]*>", document).group(0)
            assert re.search(r'\blang="es', root) and re.search(r'xml:lang="es', root), (name, document_name)
    # The newsletter: <html lang>, and Content-Language on the message.
    html = (build / "newsletters" / f"{SPANISH}.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*\blang="es', html)
    message = BytesParser(policy=policy.default).parsebytes((build / "newsletters" / f"{SPANISH}.eml").read_bytes())
    assert str(message["Content-Language"]).startswith("es")


def _english_interface_strings() -> list[str]:
    """Every English phrase the layouts print, from the message catalog template (read with Babel's own
    PO reader), without its placeholders; phrases whose Spanish is the same words are left out."""
    from babel.messages.pofile import read_po

    with open(ROOT / "layouts" / "locale" / "messages.pot", "rb") as file:
        template = read_po(file)
    with open(ROOT / "layouts" / "locale" / "es" / "LC_MESSAGES" / "messages.po", "rb") as file:
        spanish = read_po(file)
    phrases = set()
    for message in template:
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            translated = spanish.get(message.id)
            strings = translated.string if translated else ""
            strings = " ".join(strings) if isinstance(strings, tuple) else strings
            for fragment in re.split(r"%\(\w+\)[sd]|%[sd]", msgid):
                fragment = " ".join(fragment.strip(" .,:;()").split())
                # Short words ("or", "a") are words of Spanish too; a phrase left as it is (a name) is not English.
                if len(re.sub(r"[^A-Za-z]", "", fragment)) >= 4 and fragment not in strings:
                    phrases.add(fragment)
    return sorted(phrases)


@pytest.mark.parametrize("product", SPANISH_FILES)
def test_no_english_interface_word_remains_in_a_spanish_product(spanish_build, product):
    phrases = _english_interface_strings()
    assert len(phrases) > 30  # the catalog was read: the layouts print many phrases
    path = spanish_build / "build" / SPANISH_FILES[product]
    text = " ".join((text_of(path) + (package_text(path) if path.suffix == ".epub" else "")).split())
    found = [phrase for phrase in phrases if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]
    assert found == []


def test_the_scan_for_english_words_finds_them_in_the_english_products(spanish_build):
    """The scan above is not blind: run on the English products it finds the layouts' English words."""
    phrases = _english_interface_strings()
    for name in (f"handouts/{SAMPLE}.pdf", f"guides/{SAMPLE}.epub", f"newsletters/{SAMPLE}.html"):
        path = spanish_build / "build" / name
        text = " ".join((text_of(path) + (package_text(path) if path.suffix == ".epub" else "")).split())
        found = [phrase for phrase in phrases if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text)]
        assert len(found) >= 3, (name, found)


def test_dates_and_the_notes_links_back_are_in_spanish(tmp_path):
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    text = translation.read_text().replace("lang: es-US", "lang: es-US\nlast_reviewed: 2026-05-04")
    translation.write_text(text + "\nUna frase con una nota.[^1]\n\n[^1]: La nota.\n")
    assert invoke("build", "--only", "handout,guide", cwd=project).returncode == 0
    handout = " ".join(pdftotext(project / "build" / "handouts" / f"{SPANISH}.pdf").split())
    assert "Última revisión: 4 de mayo de 2026" in handout
    assert "May 4, 2026" not in handout
    chapter = epub_documents(project / "build" / "guides" / f"{SPANISH}.epub")
    notes = next(document for document in chapter.values() if "La nota." in document)
    assert re.search(r'<a [^>]*title="Volver al texto de la nota 1"', notes)
    assert "Back to" not in notes


SPANISH_ISSUE = f"""---
title: "Diciembre de 2026: cómo funciona el tratamiento con ketamina"
lang: es-US
articles:
  - {SAMPLE}
---

Este mes: cómo funciona la ketamina para la depresión.
"""


def test_a_spanish_newsletter_issue_carries_the_spanish_edition_and_blocks(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    (project / "sources" / "newsletters").mkdir()
    (project / "sources" / "newsletters" / "2026-12-es.md").write_text(SPANISH_ISSUE, encoding="utf-8")
    result = invoke("newsletter", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    html = project / "build" / "newsletters" / "issues" / "2026-12-es.html"
    text = " ".join(text_of(html).split())
    assert "¿Cómo funciona la ketamina para la depresión?" in text
    assert "How Does Ketamine Work" not in text
    assert SPANISH_CRISIS.title in text and "AYUDA" in text
    assert re.search(r'<html[^>]*\blang="es', html.read_text(encoding="utf-8"))


def test_a_spanish_issue_naming_an_article_without_a_spanish_edition_names_it(tmp_path):
    project = copy_project(tmp_path)
    (project / "sources" / "newsletters").mkdir()
    (project / "sources" / "newsletters" / "2026-12-es.md").write_text(SPANISH_ISSUE, encoding="utf-8")
    result = invoke("newsletter", cwd=project)
    assert result.returncode != 0
    assert (
        f"sources/newsletters/2026-12-es.md:5: error: the article '{SAMPLE}' has no Spanish edition; translate it "
        f"first (invoke translate {SAMPLE} --lang es), or leave it out of this issue" in result.stderr
    )


# --- No English fallback for safety text -----------------------------------------------------------


def test_without_spanish_required_blocks_the_spanish_article_fails_and_the_english_one_builds(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    shutil.rmtree(project / "sources" / "_required" / "es")
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert (
        f"sources/{SPANISH}.md: error: no Spanish required blocks; add sources/_required/es/crisis.md and "
        "disclaimer.md" in result.stderr
    )
    built = project / "build"
    assert (built / "handouts" / f"{SAMPLE}.pdf").is_file() and (built / "guides" / f"{SAMPLE}.epub").is_file()
    assert (built / "newsletters" / f"{SAMPLE}.html").is_file()
    assert not list(built.rglob(f"{SPANISH}.*"))  # nothing half-made, nothing in English instead


def test_a_spanish_block_with_english_wording_missing_a_file_names_that_file(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    (project / "sources" / "_required" / "es" / "disclaimer.md").unlink()
    result = invoke("build", "--only", "handout", cwd=project)
    assert result.returncode != 0
    assert "sources/_required/es/disclaimer.md: error: the medical disclaimer is missing" in result.stderr
    assert (project / "build" / "handouts" / f"{SAMPLE}.pdf").is_file()


def test_the_gate_fails_every_spanish_product_until_the_clinic_approves_the_spanish_wording(spanish_build):
    result = invoke("check", cwd=spanish_build)
    assert result.returncode != 0
    report = json.loads((spanish_build / "build" / "check.json").read_text())
    rows = [r for r in report["rows"] if r["check"] == "approved wording"]
    failed = {r["product"] for r in rows if r["status"] == "fail" and r["article"] == SPANISH}
    assert failed == {"handout", "handout (large-print)", "guide", "newsletter", "web"}
    assert {r["status"] for r in rows if r["article"] == "patient-guide.es"} == {"fail"}
    assert {r["status"] for r in rows if r["article"] in (SAMPLE, "patient-guide")} == {"pass"}
    [source] = [r for r in rows if r["article"] == "(Spanish required blocks)"]
    assert source["status"] == "warn" and "sources/_required/es/crisis.md: not approved" in source["detail"]
    assert 'invoke approve-blocks --lang es --by "Name"' in source["detail"]


def test_approved_spanish_wording_passes(tmp_path):
    project = copy_project(tmp_path)
    approved = invoke("approve-blocks", "--lang", "es", "--by", "A. Tester (test fixture)", cwd=project)
    assert approved.returncode == 0, approved.stderr
    invoke("check", cwd=project)
    report = json.loads((project / "build" / "check.json").read_text())
    [row] = [r for r in report["rows"] if r["article"] == "(Spanish required blocks)"]
    assert (row["check"], row["status"]) == ("approved wording", "pass")
    assert row["detail"] == "approved by A. Tester (test fixture)"


# --- The gate knows translations ---------------------------------------------------------------------


def _rows(project: Path, check: str, article: str) -> list[dict]:
    report = json.loads((project / "build" / "check.json").read_text())
    return [r for r in report["rows"] if r["check"] == check and r["article"] == article]


def test_check_lists_the_languages_of_each_article(spanish_build):
    result = invoke("check", cwd=spanish_build)
    [row] = _rows(spanish_build, "languages", SAMPLE)
    assert row["detail"] == f"English, Spanish (sources/{SPANISH}.md)"
    assert "Spanish" in result.stdout


def test_the_spanish_article_has_a_spanish_reading_ease_score(spanish_build):
    invoke("check", cwd=spanish_build)
    [row] = _rows(spanish_build, "reading ease", SPANISH)
    assert row["facts"]["formula"] == "INFLESZ (Szigriszt-Pazos)"
    assert 0 < row["facts"]["score"] < 120
    assert "Fernández-Huerta" in row["facts"]["also"]
    assert row["facts"]["language"] == "es-US"
    [english] = _rows(spanish_build, "reading grade", SAMPLE)
    assert english["facts"]["formula"] == "Flesch-Kincaid grade"


def test_a_changed_english_sentence_makes_the_translation_stale_until_marked_current(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    assert invoke("build", cwd=project).returncode == 0
    invoke("check", cwd=project)
    [row] = _rows(project, "translation", SPANISH)
    assert row["status"] == "pass"

    english = project / "sources" / f"{SAMPLE}.md"
    english.write_text(english.read_text().replace("it acts quickly.", "it acts quickly, often within hours."))
    now = hashlib.sha256(english.read_bytes()).hexdigest()[:7]
    invoke("build", cwd=project)
    result = invoke("check", cwd=project)
    [row] = _rows(project, "translation", SPANISH)
    assert row["status"] == "warn"
    assert row["detail"].startswith(f"stale: sources/{SPANISH}.md translates version ")
    assert f"of sources/{SAMPLE}.md, which is now version {now}" in row["detail"]
    assert "stale" in result.stdout
    assert invoke("check", "--strict", cwd=project).returncode != 0

    marked = invoke("translate", SAMPLE, "--lang", "es", "--current", cwd=project)
    assert marked.returncode == 0, marked.stderr
    assert f'source_version: "{now}"' in (project / "sources" / f"{SPANISH}.md").read_text()
    invoke("check", cwd=project)
    [row] = _rows(project, "translation", SPANISH)
    assert row["status"] == "pass" and now in row["detail"]


def test_a_translation_without_its_article_is_refused_by_name(tmp_path):
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    translation.rename(project / "sources" / "sleep-and-mood.es.md")
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    assert (
        "sources/sleep-and-mood.es.md: error: this translation has no article to translate: there is no article "
        "with the slug 'sleep-and-mood'" in result.stderr
    )


@pytest.mark.parametrize("lang", ["lang: en-US\n", ""], ids=["lang en-US", "no lang"])
def test_an_issue_named_as_spanish_but_not_in_spanish_is_refused_at_its_lang_line(tmp_path, lang):
    """An issue's language is its 'lang:'; its name is only a name (2026-12-es.md), unless it is named the
    way a translation is (2026-12.es.md): then the two must agree."""
    project = copy_project(tmp_path)
    (project / "sources" / "newsletters").mkdir()
    text = SPANISH_ISSUE.replace("lang: es-US\n", lang)
    (project / "sources" / "newsletters" / "2026-12.es.md").write_text(text, encoding="utf-8")
    result = invoke("newsletter", cwd=project)
    assert result.returncode != 0
    line = 3 if lang else 1
    assert (
        f"sources/newsletters/2026-12.es.md:{line}: error: the file name 2026-12.es.md says the issue is in 'es', "
        "but its 'lang' is 'en-US'" in result.stderr
    ), result.stderr
    assert "set 'lang: es' or rename the file: an issue's language is its 'lang'" in result.stderr


def test_a_file_named_as_a_translation_in_another_language_is_refused_at_its_lang_line(tmp_path):
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    text = translation.read_text().replace("lang: es-US", "lang: en-US")
    translation.write_text(text)
    line = text.splitlines().index("lang: en-US") + 1
    result = invoke("build", "--only", "handout", cwd=project)
    assert result.returncode != 0
    assert f"sources/{SPANISH}.md:{line}: error: the file name says this is the 'es' translation" in result.stderr


def test_a_build_with_nothing_to_do_in_two_languages_reads_no_catalog(spanish_build):
    import os
    import sys

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "invoke", "build"],
        cwd=spanish_build,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    # Eight products (the web pages too), the two large-print handouts already in build/ and the web
    # edition's two index pages (English, Spanish), kept current.
    assert "Nothing to do: all 12 product(s) of 2 article(s) are up to date" in result.stdout
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "invoke" in imported and not imported & {"babel", "jinja2", "markdown", "weasyprint"}


# Each rule of naming and recording a translation, broken the way a person would break it.
TRANSLATION_MISTAKES = {
    "a slug of its own": (
        lambda text: text.replace("lang: es-US", "lang: es-US\nslug: como-funciona"),
        "slug: como-funciona",
        "error: a translation takes its slug from its file name (<slug>.<lang>.md); remove 'slug' from its "
        "front matter",
    ),
    "no recorded version": (
        lambda text: re.sub(r'source_version: "\w+"\n', "", text),
        "lang: es-US",
        "error: a translation must record which version of its English source it translates; write it in "
        f"quotes, or run 'invoke translate {SAMPLE} --lang es --current' once it matches sources/{SAMPLE}.md",
    ),
    "a version without quotes that YAML reads as a number": (
        lambda text: re.sub(r'source_version: "\w+"', "source_version: 1234567", text),
        "source_version: 1234567",
        "error: a translation must record which version of its English source it translates",
    ),
}


@pytest.mark.parametrize("mistake", TRANSLATION_MISTAKES)
def test_a_badly_named_or_recorded_translation_is_refused_at_its_line(tmp_path, mistake):
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    change, line_text, message = TRANSLATION_MISTAKES[mistake]
    text = change(translation.read_text())
    translation.write_text(text)
    line = text.splitlines().index(line_text) + 1
    result = invoke("build", "--only", "guide", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"sources/{SPANISH}.md:{line}: {message}" in result.stderr
    assert (project / "build" / "guides" / f"{SAMPLE}.epub").is_file()  # the English one still builds
    assert not (project / "build" / "guides" / f"{SPANISH}.epub").exists()


def test_an_english_article_recording_a_source_version_is_refused(tmp_path):
    project = copy_project(tmp_path)
    source = project / "sources" / f"{SAMPLE}.md"
    text = source.read_text().replace("category: Conditions", 'category: Conditions\nsource_version: "abcdef0"')
    source.write_text(text)
    line = text.splitlines().index('source_version: "abcdef0"') + 1
    result = invoke("build", "--only", "guide", cwd=project)
    assert result.returncode != 0
    assert (
        f"sources/{SAMPLE}.md:{line}: error: only a translation records 'source_version'; remove it from this article"
        in result.stderr
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        ("approved: true\n", "unknown front matter key 'approved'; approval is recorded by `invoke approve-blocks"),
        ('approved_by: "Someone"\n', "the approval record has no 'approved_version'; record an approval with"),
    ],
    ids=["the old approval flag", "an approval written by hand"],
)
def test_a_spanish_block_records_its_approval_only_through_approve_blocks(tmp_path, edit, message):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    block = project / "sources" / "_required" / "es" / "crisis.md"
    text = block.read_text()
    block.write_text(text.replace("title: ", f"{edit}title: ", 1))
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("title: "))) + 1
    result = invoke("build", "--only", "handout", cwd=project)
    assert result.returncode != 0
    assert f"sources/_required/es/crisis.md:{line}: error: {message}" in result.stderr
    assert (project / "build" / "handouts" / f"{SAMPLE}.pdf").is_file()
    assert not (project / "build" / "handouts" / f"{SPANISH}.pdf").exists()


@pytest.mark.parametrize(
    "setting, message",
    [
        (
            'translation_url = "https://www.example.org/es/guides/"',
            "translation_url must contain {slug} (and {lang}), e.g. https://www.example.org/{lang}/guides/{slug}/",
        ),
        (
            "[tool.publishing.reading_targets]\nfr = 60",
            "no reading formula for 'fr' in [tool.publishing.reading_targets]",
        ),
        ('[tool.publishing.reading_targets]\nes = "easy"', "reading target 'es' must be a number, not 'easy'"),
        (
            '[tool.publishing.clinic_about_translations]\nspanish = "Somos..."',
            "'spanish' in [tool.publishing.clinic_about_translations] is not a language (es)",
        ),
    ],
    ids=["translation_url without slug", "unknown language", "target not a number", "about not by language"],
)
def test_translation_settings_are_checked_at_their_line(tmp_path, setting, message):
    project = copy_project(tmp_path)
    settings = project / "pyproject.toml"
    text = settings.read_text()
    if setting.startswith("["):  # a table of its own, at the end
        settings.write_text(text + "\n" + setting + "\n")
    else:  # a setting of [tool.publishing] itself, beside article_url
        settings.write_text(re.sub(r"(?m)^(article_url = .*)$", lambda m: m.group(1) + "\n" + setting, text, count=1))
    line = settings.read_text().splitlines().index(setting.splitlines()[-1]) + 1
    result = invoke("build", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"pyproject.toml:{line}: error: {message}" in result.stderr


def test_translate_refuses_the_default_language_and_a_missing_translation_to_mark(tmp_path):
    project = copy_project(tmp_path)
    english = invoke("translate", SAMPLE, "--lang", "en", cwd=project)
    assert english.returncode != 0
    assert "error: English is the default language: its articles are the originals" in english.stderr
    current = invoke("translate", SAMPLE, "--lang", "es", "--current", cwd=project)
    assert current.returncode != 0
    assert (
        f"sources/{SPANISH}.md: error: there is no translation to bring up to date; create it first: "
        f"invoke translate {SAMPLE} --lang es" in current.stderr
    )
    assert not (project / "sources" / f"{SPANISH}.md").exists()


# --- invoke translate ----------------------------------------------------------------------------------


def test_translate_scaffolds_the_spanish_source_and_refuses_to_overwrite_it(tmp_path):
    project = copy_project(tmp_path)
    result = invoke("translate", SAMPLE, "--lang", "es", cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / "sources" / f"{SPANISH}.md"
    text = path.read_text()
    version = hashlib.sha256((project / "sources" / f"{SAMPLE}.md").read_bytes()).hexdigest()[:7]
    assert "lang: es-US" in text and f'source_version: "{version}"' in text
    assert "last_reviewed:" not in text.replace("# last_reviewed:", "")  # its own review, not the English one
    assert "Ketamine takes a different route." in text  # the English text, the translator's starting point
    path.write_text(text + "\nMi traducción.\n")
    again = invoke("translate", SAMPLE, "--lang", "es", cwd=project)
    assert again.returncode != 0 and "Traceback" not in again.stderr
    assert f"sources/{SPANISH}.md: error: this translation already exists; it is never overwritten" in again.stderr
    assert path.read_text().endswith("Mi traducción.\n")


def test_translate_names_an_unknown_article(tmp_path):
    project = copy_project(tmp_path)
    result = invoke("translate", "no-such-article", "--lang", "es", cwd=project)
    assert result.returncode != 0
    assert f"error: no article with the slug 'no-such-article'; choose from {SAMPLE}" in result.stderr


# --- Validators on the Spanish guide and newsletter -------------------------------------------------


@pytest.mark.parametrize("name", [f"{SPANISH}.pdf", f"{SPANISH}.large-print.pdf"])
def test_the_spanish_handouts_pass_the_pdf_ua_checkers_and_qpdf(spanish_build, name):
    import page

    pdf = spanish_build / "build" / "handouts" / name
    report = page.validate_pdf(pdf, profile=page.ValidationProfile.PDF_UA_1)
    assert report.is_compliant, [(failure.rule_id, failure.message) for failure in report.failures]
    outloud = subprocess.run(["outloud", "--json", "-", "--fail-on", "error", str(pdf)], capture_output=True, text=True)
    assert outloud.returncode == 0, outloud.stdout[-2000:]
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0


def test_the_spanish_guides_pass_epubcheck_without_a_message(spanish_build, tmp_path):
    build = spanish_build / "build" / "guides"
    for report in epubcheck(build / f"{SPANISH}.epub", build / "patient-guide.es.epub", tmp=tmp_path):
        checker = report["checker"]
        messages = [(m["severity"], m["ID"], m["message"]) for m in report["messages"]]
        assert (checker["nFatal"], checker["nError"], checker["nWarning"], checker["nUsage"]) == (0, 0, 0, 0), messages


def test_ace_finds_nothing_to_report_in_the_spanish_guides(spanish_build, tmp_path):
    guides = spanish_build / "build" / "guides"
    names = (f"{SPANISH}.epub", "patient-guide.es.epub")
    for name, (violations, output) in ace_violations({name: guides / name for name in names}, tmp_path).items():
        assert violations == [], (name, output)


@pytest.mark.parametrize("width", [600, 375])
def test_the_spanish_newsletter_has_no_axe_violations_and_no_sideways_scroll(chromium, spanish_build, width):
    from test_newsletter import render

    seen = render(chromium, spanish_build / "build" / "newsletters" / f"{SPANISH}.html", width)
    assert seen["overflow"] <= 0
    assert seen["violations"] == []


# --- Reading ease, computed for Spanish --------------------------------------------------------------

# Syllables as a Spanish dictionary divides them (RAE's rules: diphthongs, hiatus, silent u).
SYLLABLES = {
    "ketamina": 4,
    "agua": 2,
    "ayuda": 3,
    "día": 2,
    "país": 2,
    "leer": 2,
    "que": 1,
    "guerra": 2,
    "pingüino": 3,
    "muy": 1,
    "ciudad": 2,
    "oído": 3,
    "poeta": 3,
    "antidepresivos": 6,
    "neuronas": 3,
    "sinapsis": 3,
    "glutamato": 4,
    "tratamiento": 4,
    "serotonina": 5,
    "reír": 2,
}


def test_spanish_syllables_follow_the_rules_of_spanish_spelling():
    from publishing.readability import spanish_syllables

    assert {word: spanish_syllables(word) for word in SYLLABLES} == SYLLABLES


def test_inflesz_of_a_hand_counted_text():
    from publishing.readability import spanish_reading

    # 2 sentences, 8 words, 12 syllables: mi ca-sa es a-zul. su pe-rro co-me pan.
    text = "Mi casa es azul. Su perro come pan."
    reading = spanish_reading(text)
    assert reading.score == round(206.835 - 62.3 * 12 / 8 - 8 / 2, 1)
    assert reading.also["Fernández-Huerta"] == round(206.84 - 0.60 * 150 - 1.02 * 25, 1)
