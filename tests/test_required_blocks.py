"""The rule that never breaks: a product without the disclaimer or the crisis information never
reaches build/, and the build says which product lacks which block."""

from __future__ import annotations

from conftest import SAMPLE, invoke
from extract import epub_documents, normalised, pdftotext
from wording import CRISIS


def _drop(path, text):
    content = path.read_text()
    assert text in content
    path.write_text(content.replace(text, ""))


def test_a_handout_layout_that_forgets_the_crisis_block_fails_the_build(project_copy):
    _drop(project_copy / "layouts/handout/handout.html", "{{ crisis(blocks) }}")
    result = invoke("build", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"build/handouts/{SAMPLE}.pdf: error: handout: the crisis information (988 Suicide and Crisis "
        "Lifeline) is missing from page 1; the layout must place it with the crisis() macro of "
        "layouts/_partials/required.html"
    ) in result.stderr
    assert not (project_copy / "build/handouts").exists()
    # The other products were still built, each with its own proof.
    assert (project_copy / f"build/guides/{SAMPLE}.epub").is_file()
    assert (project_copy / f"build/newsletters/{SAMPLE}.html").is_file()


def test_a_guide_layout_that_forgets_the_disclaimer_fails_the_build(project_copy):
    _drop(project_copy / "layouts/guide/end.xhtml", "{{ disclaimer(blocks) }}")
    result = invoke("build", "--only", "guide", cwd=project_copy)
    assert result.returncode != 0
    assert "error: guide: the medical disclaimer is missing from the last document (about.xhtml)" in result.stderr
    assert not (project_copy / f"build/guides/{SAMPLE}.epub").exists()


def test_a_newsletter_that_forgets_the_disclaimer_fails_the_build(project_copy):
    _drop(project_copy / "layouts/newsletter/_email.html", '{{ disclaimer(blocks, heading="h2", label="words") }}')
    result = invoke("build", "--only", "newsletter", cwd=project_copy)
    assert result.returncode != 0
    assert "error: newsletter: the medical disclaimer is missing from the HTML" in result.stderr
    assert not (project_copy / "build/newsletters").exists()


def test_a_failed_rebuild_keeps_the_previous_product(project_copy):
    assert invoke("build", "--only", "handout", cwd=project_copy).returncode == 0
    handout = project_copy / f"build/handouts/{SAMPLE}.pdf"
    before = handout.read_bytes()
    _drop(project_copy / "layouts/handout/handout.html", "{{ disclaimer(blocks) }}")
    result = invoke("build", "--only", "handout", cwd=project_copy)
    assert result.returncode != 0
    assert "the medical disclaimer is missing from the last page" in result.stderr
    assert handout.read_bytes() == before


def test_editing_a_required_block_changes_every_product(project_copy):
    crisis = project_copy / "sources/_required/crisis.md"
    crisis.write_text(crisis.read_text() + "\nWe are here for you, day or night.\n")
    assert invoke("build", cwd=project_copy).returncode == 0
    built = project_copy / "build"
    texts = {
        "handout": pdftotext(built / f"handouts/{SAMPLE}.pdf"),
        "guide": " ".join(epub_documents(built / f"guides/{SAMPLE}.epub").values()),
        "newsletter": (built / f"newsletters/{SAMPLE}.html").read_text(),
        "plain text": (built / f"newsletters/{SAMPLE}.txt").read_text(),
    }
    for product, text in texts.items():
        assert normalised("We are here for you, day or night.") in normalised(text), product


def test_a_deleted_required_block_stops_the_build(project_copy):
    (project_copy / "sources/_required/disclaimer.md").unlink()
    result = invoke("build", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "sources/_required/disclaimer.md: error: the medical disclaimer is missing; "
        "restore disclaimer.md: every product must carry it"
    )


def test_check_re_verifies_the_required_blocks_in_build(project_copy):
    assert invoke("build", cwd=project_copy).returncode == 0
    result = invoke("check", cwd=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project_copy / "build/check.json").is_file()
    text = project_copy / f"build/newsletters/{SAMPLE}.txt"
    assert CRISIS.title.upper() in text.read_text()
    text.write_text(text.read_text().replace(CRISIS.title.upper(), ""))
    result = invoke("check", cwd=project_copy)
    assert result.returncode != 0
    assert (
        "the crisis information (988 Suicide and Crisis Lifeline) is missing from the plain-text part" in result.stdout
    )
