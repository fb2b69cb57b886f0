"""Every reader sees the disclaimer and the crisis information: a stylesheet or template edit that hides
either block, in any product, fails the build for that product, says where and why, and ships nothing.

The edits are the ones staff and marketing make: a line appended to a product's CSS, an attribute
added in a template."""

from __future__ import annotations

import re
import zipfile

import lxml.etree as etree
import pytest

from conftest import SAMPLE, copy_project, invoke

CRISIS = "crisis information (988 Suicide and Crisis Lifeline)"
DISCLAIMER = "medical disclaimer"
FOLDERS = {"handout": "handouts", "guide": "guides", "newsletter": "newsletters"}
FILES = {
    "handout": [f"{SAMPLE}.pdf"],
    "guide": [f"{SAMPLE}.epub"],
    "newsletter": [f"{SAMPLE}.html", f"{SAMPLE}.txt", f"{SAMPLE}.eml"],
}
MARKUP_HINT = "every reader must see it: change that rule back (the block keeps its id '{id}')"
PDF_HINT = (
    "every reader must see it: check the rules for #{id} and .required-block in the product's stylesheets in layouts/"
)
WHERE = {"newsletter": "in the HTML", "guide": None, "handout": None}


def _append(project, stylesheet: str, css: str) -> None:
    path = project / stylesheet
    path.write_text(path.read_text() + "\n" + css + "\n")


def _replace(project, template: str, old: str, new: str) -> None:
    path = project / template
    text = path.read_text()
    assert old in text, f"{template} no longer holds {old!r}"
    path.write_text(text.replace(old, new))


def _pattern(message: str) -> str:
    """The exact message, with {n} standing for a count of characters (it follows the clinic's wording) and
    {x} for a measured contrast under 4 (it follows the layout's colours)."""
    return re.escape(message).replace(re.escape("{n}"), r"\d+").replace(re.escape("{x}"), r"[1-3]\.\d")


def _nothing_shipped(project, product: str) -> bool:
    folder = project / "build" / FOLDERS[product]
    return not any((folder / name).exists() for name in FILES[product])


# --- The edits the issue names, through `invoke build` as staff run it ------------------------------

APPENDED = [
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#crisis-988{display:none !important}",
        f"newsletter: the {CRISIS} is not visible in the HTML: display:none on #crisis-988 from "
        "layouts/newsletter/newsletter.css",
        "crisis-988",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#medical-disclaimer{visibility:hidden !important}",
        f"newsletter: the {DISCLAIMER} is not visible in the HTML: visibility:hidden on #medical-disclaimer from "
        "layouts/newsletter/newsletter.css",
        "medical-disclaimer",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        "#medical-disclaimer{display:none !important}",
        f"guide: the {DISCLAIMER} is not visible in the last document (about.xhtml): display:none on "
        "#medical-disclaimer from layouts/guide/guide.css",
        "medical-disclaimer",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        "#crisis-988{opacity:0 !important}",
        f"guide: the {CRISIS} is not visible in the first document (crisis.xhtml): opacity:0 on #crisis-988 from "
        "layouts/guide/guide.css",
        "crisis-988",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#crisis-988, #crisis-988 *{color:#fff !important;background:#fff !important;border-color:#fff !important}",
        f"handout: the {CRISIS} is not visible on page 1: its title: {{n}} of its characters print as #ffffff on "
        "#ffffff: contrast 1.0:1, under 4.5:1",
        "crisis-988",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#medical-disclaimer, #medical-disclaimer *{font-size:1pt !important}",
        f"handout: the {DISCLAIMER} is not visible on the last page (page 4): its title: {{n}} of its {{n}} "
        "characters are "
        "set at 1.0 pt (at least 9.0 pt)",
        "medical-disclaimer",
    ),
]


@pytest.mark.parametrize(
    "product, stylesheet, css, message, block_id", APPENDED, ids=[f"{case[0]}: {case[2][:40]}" for case in APPENDED]
)
def test_a_stylesheet_line_that_hides_a_block_fails_the_build_and_ships_nothing(
    tmp_path, product, stylesheet, css, message, block_id
):
    project = copy_project(tmp_path)
    _append(project, stylesheet, css)
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    built = FILES[product][0]
    hint = (PDF_HINT if product == "handout" else MARKUP_HINT).format(id=block_id)
    assert any(
        re.fullmatch(_pattern(f"build/{FOLDERS[product]}/{built}: error: {message}; {hint}"), line)
        for line in result.stderr.splitlines()
    ), result.stderr
    assert _nothing_shipped(project, product)
    for other in set(FILES) - {product}:  # the other products are not held back
        assert (project / "build" / FOLDERS[other] / FILES[other][0]).is_file()


# --- Every other way of hiding, product by product, through the build itself -----------------------


def _build(project, product: str) -> str:
    """Build one product of the sample in-process (the same build_all the CLI runs); its error, if any."""
    from publishing.build import build_all
    from publishing.site import load_site

    [outcome] = build_all(load_site(project), [product])
    return outcome.error.split(": error: ", 1)[1] if outcome.error else ""


HIDDEN = [
    # Newsletter: what email clients honour, in every client's situation.
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#crisis-988 p { opacity: 0.05 }",
        "in the HTML: opacity:0.05 on p inside #crisis-988 from layouts/newsletter/newsletter.css",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#medical-disclaimer { max-height: 0; overflow: hidden }",
        "in the HTML: max-height:0 with overflow hidden on #medical-disclaimer from layouts/newsletter/newsletter.css: "
        "it can cut the text off",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        ".crisis-box-cell { mso-hide: all }",
        "in the HTML: mso-hide:all on td.crisis-box-cell around #crisis-988 from layouts/newsletter/newsletter.css",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#crisis-988 { position: absolute; left: -9999px }",
        "in the HTML: left:-9999px on #crisis-988 from layouts/newsletter/newsletter.css: it moves the text off the "
        "screen",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        "#crisis-988 { text-indent: -9999px }",
        "in the HTML: text-indent:-9999px on #crisis-988 from layouts/newsletter/newsletter.css: it moves the text off "
        "the screen",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        ".disclaimer p { font-size: 6px }",
        "in the HTML: font-size 6.0px on p inside #medical-disclaimer (at least 9px) from "
        "layouts/newsletter/newsletter.css",
    ),
    (
        "newsletter",
        "layouts/newsletter/newsletter.css",
        ".disclaimer p { color: #d0d8db }",
        "in the HTML: text #d0d8db on #f2f5f6 in p inside #medical-disclaimer from layouts/newsletter/newsletter.css: "
        "contrast 1.3:1, under 4.5:1",
    ),
    (
        "newsletter",
        "layouts/newsletter/responsive.css",
        "@media (prefers-color-scheme: dark) { .crisis p { color: #1f3a41 !important } }",
        "in the HTML: text #1f3a41 on #0f1417 in p inside #crisis-988 from layouts/newsletter/responsive.css: "
        "contrast 1.5:1, under 4.5:1 (under @media (prefers-color-scheme: dark))",
    ),
    (
        "newsletter",
        "layouts/newsletter/responsive.css",
        "@media only screen and (max-width: 620px) { .crisis-cell { display: none !important } }",
        "in the HTML: display:none on td.crisis-cell around #crisis-988 from layouts/newsletter/responsive.css "
        "(under @media only screen and (max-width: 620px))",
    ),
    # Guide: what reading systems honour.
    (
        "guide",
        "layouts/guide/guide.css",
        "#crisis-988 { visibility: hidden }",
        "in the first document (crisis.xhtml): visibility:hidden on #crisis-988 from layouts/guide/guide.css",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        ".disclaimer p { font-size: 0.3em }",
        "in the last document (about.xhtml): font-size 4.8px on p inside #medical-disclaimer (at least 9px) from "
        "layouts/guide/guide.css",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        ".crisis { max-height: 0; overflow: hidden }",
        "in the first document (crisis.xhtml): max-height:0 with overflow hidden on #crisis-988 from "
        "layouts/guide/guide.css: it can cut the text off",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        ".crisis { position: absolute; left: -9999px }",
        "in the first document (crisis.xhtml): left:-9999px on #crisis-988 from layouts/guide/guide.css: it moves the "
        "text off the screen",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        ".disclaimer { color: #ddd }",
        "in the last document (about.xhtml): text #dddddd on #ffffff in #medical-disclaimer-title from "
        "layouts/guide/guide.css: contrast 1.4:1, under 4.5:1",
    ),
    (
        "guide",
        "layouts/guide/guide.css",
        "@media (prefers-color-scheme: dark) { .crisis { color: #fff } }",
        "in the first document (crisis.xhtml): text #ffffff on #ffffff in #crisis-988-title from "
        "layouts/guide/guide.css: "
        "contrast 1.0:1, under 4.5:1 (under @media (prefers-color-scheme: dark))",
    ),
    # Handout: what the PDF draws.
    (
        "handout",
        "layouts/handout/handout.css",
        "#crisis-988 { opacity: 0 }",
        "on page 1: its title: {n} of its characters leave too little ink on the page (covered, clipped or "
        "transparent): contrast 1.0:1 as printed",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#medical-disclaimer { max-height: 0; overflow: hidden }",
        # Clipped whole, title and all: a flex item (beside the contact) whose minimum height is 0, as
        # in a browser.
        "on the last page (page 4): its title: {n} of its characters leave too little ink on the page "
        "(covered, clipped or transparent): contrast 1.0:1 as printed",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#crisis-988 { position: absolute; left: -20in }",
        "on page 1: its title: {n} of its {n} characters lie outside the page",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        ".crisis { position: relative } .crisis::after { content: ''; position: absolute; left: 0; top: 0; right: 0; "
        "bottom: 0; background: #e8f0f2 }",
        "on page 1: its title: {n} of its characters leave too little ink on the page (covered, clipped or "
        "transparent): contrast 1.0:1 as printed",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        ".crisis { position: relative } .crisis::after { content: ''; position: absolute; left: 0; top: 0; right: 0; "
        "bottom: 0; background: rgba(232,240,242,0.8) }",
        "on page 1: its title: {n} of its characters leave too little ink on the page (covered, clipped or "
        "transparent): contrast {x}:1 as printed",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#crisis-988 { opacity: 0.3 }",
        "on page 1: its title: {n} of its characters leave too little ink on the page (covered, clipped or "
        "transparent): contrast {x}:1 as printed",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        ".disclaimer { color: #c8d0d4 }",
        "on the last page (page 4): {n} of its characters print as #c8d0d4 on #ffffff: contrast 1.6:1, under 4.5:1",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        ".crisis .required-title { font-size: 9pt }",
        "on page 1: its title: {n} of its {n} characters are set at 9.0 pt (at least 12.0 pt)",
    ),
]


@pytest.mark.parametrize("product, stylesheet, css, where", HIDDEN, ids=[f"{c[0]}: {c[2][:50]}" for c in HIDDEN])
def test_every_way_of_hiding_a_block_is_refused(tmp_path, product, stylesheet, css, where):
    project = copy_project(tmp_path)
    _append(project, stylesheet, css)
    error = _build(project, product)
    block = CRISIS if "crisis" in css else DISCLAIMER
    assert re.match(_pattern(f"{product}: the {block} is not visible {where}; every reader must see it"), error), error
    assert _nothing_shipped(project, product)


# A block not drawn at all is missing, whatever hid it.
NOT_DRAWN = [
    (
        "handout",
        "layouts/handout/handout.css",
        "#crisis-988 { visibility: hidden }",
        f"handout: the {CRISIS} is missing from page 1",
    ),
    (
        "handout",
        "layouts/handout/handout.css",
        "#medical-disclaimer { display: none }",
        f"handout: the {DISCLAIMER} is missing from the last page (page 4)",
    ),
]


@pytest.mark.parametrize("product, stylesheet, css, message", NOT_DRAWN, ids=[c[2] for c in NOT_DRAWN])
def test_a_block_the_pdf_never_draws_is_missing(tmp_path, product, stylesheet, css, message):
    project = copy_project(tmp_path)
    _append(project, stylesheet, css)
    assert _build(project, product).startswith(message + "; the layout must place it")
    assert _nothing_shipped(project, product)


TEMPLATE_EDITS = [
    (
        "newsletter",
        "layouts/_partials/required.html",
        '<aside id="{{ id }}"',
        '<aside hidden id="{{ id }}"',
        f"newsletter: the {CRISIS} is not visible in the HTML: the hidden attribute on #crisis-988 from the template",
    ),
    (
        "guide",
        "layouts/_partials/required.html",
        '<aside id="{{ id }}"',
        '<aside aria-hidden="true" id="{{ id }}"',
        f'guide: the {CRISIS} is not visible in the first document (crisis.xhtml): aria-hidden="true" on '
        "#crisis-988 from the template",
    ),
    (
        "handout",
        "layouts/_partials/required.html",
        '<aside id="{{ id }}"',
        '<aside hidden id="{{ id }}"',
        f"handout: the {CRISIS} is missing from page 1",
    ),
    # Classic Outlook renders what its conditional comments hold; other clients what they hide from it.
    (
        "newsletter",
        "layouts/newsletter/_email.html",
        '<tr><td class="crisis-cell">\n',
        '<tr><td class="crisis-cell">\n<!--[if mso]><div style="display:none"><![endif]-->\n',
        f"newsletter: the {CRISIS} is not visible in the HTML as classic Outlook shows it: display:none on div around "
        "#crisis-988 from a style attribute in the HTML",
    ),
    (
        "newsletter",
        "layouts/newsletter/_email.html",
        '<tr><td class="crisis-cell">\n',
        '<tr><td class="crisis-cell">\n<!--[if !mso]><!--><div style="display:none"><!--<![endif]-->\n',
        f"newsletter: the {CRISIS} is not visible in the HTML: display:none on div around #crisis-988 from a style "
        "attribute in the HTML",
    ),
]


@pytest.mark.parametrize(
    "product, template, old, new, message", TEMPLATE_EDITS, ids=[f"{c[0]}: {c[3][:50]}" for c in TEMPLATE_EDITS]
)
def test_a_template_that_hides_a_block_is_refused(tmp_path, product, template, old, new, message):
    project = copy_project(tmp_path)
    _replace(project, template, old, new)
    assert _build(project, product).startswith(message + "; ")
    assert _nothing_shipped(project, product)


# --- Order: the crisis information comes first ---------------------------------------------------


def test_a_newsletter_with_the_crisis_block_below_the_article_fails(project_copy):
    template = project_copy / "layouts/newsletter/_email.html"
    text = template.read_text()
    start, end = text.index('<tr><td class="crisis-cell">'), text.index('<tr><td class="cta-cell cta-top">')
    crisis_row = text[start:end]
    text = text[:start] + text[end:]
    at = text.index('<tr><td class="cta-cell cta-end">')
    template.write_text(text[:at] + crisis_row + text[at:])
    result = invoke("build", "--only", "newsletter", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"build/newsletters/{SAMPLE}.html: error: newsletter: in the HTML the {CRISIS} comes after the article; "
        "the reader must meet it first: place the crisis() macro before the article in the layout"
    ) in result.stderr.splitlines()
    assert _nothing_shipped(project_copy, "newsletter")


def test_a_handout_with_the_crisis_block_after_the_article_fails(project_copy):
    _replace(
        project_copy,
        "layouts/handout/handout.html",
        '{{ crisis(blocks) }}\n<main class="article-body">\n{{ body_html | safe }}\n</main>',
        '<main class="article-body">\n{{ body_html | safe }}\n</main>\n{{ crisis(blocks) }}',
    )
    error = _build(project_copy, "handout")
    assert error.startswith(f"handout: the {CRISIS} is missing from page 1"), error
    assert _nothing_shipped(project_copy, "handout")


def test_a_handout_whose_article_starts_before_the_crisis_block_fails(project_copy):
    source = project_copy / f"sources/{SAMPLE}.md"
    front_matter = source.read_text().split("---", 2)[1]
    source.write_text(f"---{front_matter}---\n\nA short article: it fits on page 1 with everything else.\n")
    _replace(
        project_copy,
        "layouts/handout/handout.html",
        '{{ crisis(blocks) }}\n<main class="article-body">\n{{ body_html | safe }}\n</main>',
        '<main class="article-body">\n{{ body_html | safe }}\n</main>\n{{ crisis(blocks) }}',
    )
    error = _build(project_copy, "handout")
    assert error == (
        f"handout: on page 1 the {CRISIS} comes after the article's text begins; the reader must meet "
        "it first: place the crisis() macro before the article in the layout"
    )
    assert _nothing_shipped(project_copy, "handout")


def test_the_guide_opens_on_the_crisis_page_with_both_ways_to_reach_988(sample_build):
    """Read with zipfile and lxml, as a reading system would: the start-of-reading landmark and the EPUB 2
    guide's 'text' reference both open on the document that carries the crisis block."""
    ns = {
        "opf": "http://www.idpf.org/2007/opf",
        "x": "http://www.w3.org/1999/xhtml",
        "epub": "http://www.idpf.org/2007/ops",
    }
    with zipfile.ZipFile(sample_build / f"guides/{SAMPLE}.epub") as book:
        package = etree.fromstring(book.read("EPUB/content.opf"))
        nav_href = package.xpath("//opf:item[contains(@properties, 'nav')]/@href", namespaces=ns)[0]
        nav = etree.fromstring(book.read(f"EPUB/{nav_href}"))
        [start] = nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='bodymatter']/@href", namespaces=ns)
        [text_reference] = package.xpath("//opf:guide/opf:reference[@type='text']/@href", namespaces=ns)
        assert start == text_reference == "crisis.xhtml"
        crisis = etree.fromstring(book.read(f"EPUB/{start}"))
    block = crisis.xpath("//*[@id='crisis-988']", namespaces=ns)[0]
    assert block.xpath(".//x:a[@href='tel:988']/text()", namespaces=ns) == ["Call 988"]
    assert "or text 988" in " ".join("".join(block.itertext()).split())


# --- Collisions ----------------------------------------------------------------------------------


def test_two_articles_with_one_slug_fail_naming_both_and_replace_nothing(project_copy):
    assert invoke("build", cwd=project_copy).returncode == 0
    original = (project_copy / f"sources/{SAMPLE}.md").read_text()
    (project_copy / "sources/a-second-article.md").write_text(
        original.replace("title: How Does Ketamine Work for Depression?", f"title: A Second Article\nslug: {SAMPLE}")
    )
    result = invoke("build", cwd=project_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    hint = "give one of them another 'slug:' in its front matter, or rename its file; neither is built until then"
    assert (
        f"sources/a-second-article.md: error: the slug '{SAMPLE}' is also the slug of sources/{SAMPLE}.md: both "
        f"would write the same products; {hint}"
    ) in lines
    assert (
        f"sources/{SAMPLE}.md: error: the slug '{SAMPLE}' is also the slug of sources/a-second-article.md: "
        f"both would write the same products; {hint}"
    ) in lines
    with zipfile.ZipFile(project_copy / f"build/guides/{SAMPLE}.epub") as book:
        title = etree.fromstring(book.read("EPUB/content.opf")).findtext(".//{http://purl.org/dc/elements/1.1/}title")
    assert title == "How Does Ketamine Work for Depression?"


def test_an_article_cannot_take_the_combined_guides_name(project_copy):
    source = project_copy / f"sources/{SAMPLE}.md"
    source.write_text(source.read_text().replace("title: How", "slug: patient-guide\ntitle: How", 1))
    result = invoke("build", "--only", "guide", cwd=project_copy)
    assert result.returncode != 0
    assert (
        f"sources/{SAMPLE}.md: error: the slug 'patient-guide' is the combined guide's name "
        "(build/guides/patient-guide.epub); give the article another slug in its front matter"
    ) in result.stderr.splitlines()
    assert not (project_copy / "build/guides/patient-guide.epub").exists()


# --- The gate reads every file the pipeline made ------------------------------------------------


@pytest.fixture(scope="module")
def every_variant(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("variants"))
    for args in (
        ("build",),
        ("handout", "--variant", "large-print"),
        ("handout", "--variant", "print-shop"),
        ("guide", "--bundle"),
    ):
        assert invoke(*args, cwd=project).returncode == 0
    return project


@pytest.mark.parametrize(
    "damaged, label",
    [
        (f"handouts/{SAMPLE}.large-print.pdf", "handout (large-print)"),
        (f"handouts/{SAMPLE}.print-shop.pdf", "handout (print-shop)"),
        ("guides/patient-guide.epub", "combined guide"),
    ],
)
def test_check_fails_when_any_variants_file_is_damaged_and_names_it(every_variant, tmp_path, damaged, label):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(every_variant, project)
    assert invoke("check", cwd=project).returncode == 0
    (project / "build" / damaged).write_bytes(b"%PDF-1.7\nnot really a document\n")
    result = invoke("check", cwd=project)
    assert result.returncode != 0
    [row] = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    assert f"  {label}  " in row and "required blocks" in row and f"build/{damaged}: error:" in row
    assert "is not a readable" in row


def test_check_warns_about_a_product_no_article_makes(every_variant, tmp_path):
    import shutil

    project = tmp_path / "project"
    shutil.copytree(every_variant, project)
    shutil.copy(project / f"build/handouts/{SAMPLE}.pdf", project / "build/handouts/an-old-article.pdf")
    result = invoke("check", cwd=project)
    [row] = [line for line in result.stdout.splitlines() if "an-old-article" in line]
    assert (
        row.startswith("WARN")
        and ("build/handouts/an-old-article.pdf is not a product of any article in sources that loads") in row
    )
