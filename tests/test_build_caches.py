"""What the build makes once per process and reuses for every article stays true to its inputs: an
edit made while a long-lived process runs (the preview rebuilds on every save) is seen at once."""

from __future__ import annotations

from pathlib import Path

import pytest

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


PAGE = '<html><body><p>Hello</p><aside id="crisis">Call or text 988</aside></body></html>'


def problem(css: str, page: str = PAGE):
    """Why the crisis block of ``page`` styled by ``css`` would not be seen, or None."""
    import lxml.html

    from publishing.proof.cascade import Stylesheet
    from publishing.proof.markup import Visibility

    visibility = Visibility(
        lxml.html.document_fromstring(page),
        [Stylesheet.parse(css, "layouts/newsletter/newsletter.css")],
        html=True,
        inline_origin="a style attribute in the HTML",
    )
    return visibility.problem(visibility.find("crisis"))


def test_a_shorthand_that_hides_the_block_is_caught_after_the_same_page_passed_with_a_harmless_one():

    assert problem("p { margin: 0 0 12px; }") is None
    # The same page and the same shorthand, expanded once already: the edited value is judged afresh.
    hidden = problem("p { margin: 0 0 -400px; }")
    assert hidden is not None
    assert "margin-bottom:-400px" in str(hidden) and "a negative margin can pull a box over #crisis" in str(hidden)
    assert problem("p { margin: 0 0 12px; }") is None


@pytest.mark.parametrize(
    "css, refused",
    [
        (":root { --pull: 0 0 -400px; } p { margin: var(--pull); }", "margin-bottom:-400px on p elsewhere"),
        ("p { inset: 0; position: absolute; }", "position:absolute"),
        ("p { translate: 0 200px; }", "translate:0 200px"),
        ("p { grid-area: 1 / 1; }", "grid-area:1 / 1"),
    ],
)
def test_a_box_elsewhere_that_can_be_laid_over_the_block_is_refused_however_it_is_written(css, refused):
    found = problem(css)
    assert found is not None and refused in str(found), found
    assert problem("p { margin: 0 0 12px; padding: 4px; }") is None  # a harmless restyle passes
