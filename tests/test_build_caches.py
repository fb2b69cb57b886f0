"""What the build makes once per process and reuses for every article stays true to its inputs: an
edit made while a long-lived process runs (the preview rebuilds on every save) is seen at once."""

from __future__ import annotations

from pathlib import Path

from publishing.proof import card_lines
from publishing.site import load_site

from conftest import ROOT, copy_project


def test_the_card_a_proof_checks_follows_an_edit_of_the_partial(tmp_path: Path):
    project = copy_project(tmp_path)
    site = load_site(project)
    site.load_blocks()
    crisis = site.blocks.crisis
    before = card_lines(site, crisis)
    assert card_lines(site, crisis) is before  # the same card, made once
    assert before[: len(crisis.proof_texts)] == crisis.proof_texts

    partial = project / "layouts" / "_partials" / "required.html"
    text = partial.read_text(encoding="utf-8")
    partial.write_text(
        text.replace("</aside>", '<p class="crisis-more">You are not alone.</p>\n</aside>', 1), encoding="utf-8"
    )
    assert card_lines(site, crisis) == (*before, "You are not alone.")

    partial.write_text(text, encoding="utf-8")  # a harmless change undone: the card as it was
    assert card_lines(site, crisis) == before


def test_a_cover_is_drawn_once_per_book_and_again_when_its_title_or_the_clinic_changes():
    import dataclasses

    from publishing.products.guide.cover import cover_png
    from publishing.settings import load_settings

    settings = load_settings(ROOT / "pyproject.toml")
    cover = cover_png("Sleep and Mood", "A patient guide", settings)
    assert cover_png("Sleep and Mood", "A patient guide", settings) is cover
    assert cover_png("Sleep and Mood, Part 2", "A patient guide", settings) != cover
    moved = dataclasses.replace(settings, clinic_location="12 Harbour Street, Portland")
    assert cover_png("Sleep and Mood", "A patient guide", moved) != cover
    renamed = dataclasses.replace(settings, clinic_name="Harbour Mental Health")
    assert cover_png("Sleep and Mood", "A patient guide", renamed) != cover
