"""Generated Markdown and front matter, fed to the loader and all three products: whatever staff
paste, the only exception that may escape is the project's own PublishingError, and every product
built from a loadable article passes its own proof (both blocks there and visible).

FUZZ_EXAMPLES sets the number of examples (500 in CI; a long run uses 10000 or more)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from publishing.article import load_article
from publishing.errors import PublishingError
from publishing.products import PRODUCTS
from publishing.site import load_site

from conftest import ROOT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))

MARKDOWN_PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "- ",
        "* ",
        "1. ",
        "    ",
        "> ",
        "!!! note\n    ",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "[^1]",
        "[^1]: note\n",
        "Term\n:   Definition\n",
        "**",
        "*",
        "_",
        "`",
        "```\ncode\n```\n",
        "---\n",
        "[link](#frequently-asked-questions)",
        "[x](https://example.org)",
        '![alt](images/connections.png "Cap")',
        "![](images/missing.png)",
        "<b>",
        "</b>",
        "<div>",
        "</div>",
        "<script>alert(1)</script>",
        "&amp;",
        "&",
        "<",
        ">",
        '"',
        "'",
        "--",
        "...",
        "\n",
        "\n\n",
        "\t",
        "\u00a0",
        "caf\u00e9 ",
        "\u2014",
        "\u0645\u0631\u062d\u0628\u0627",
        "\U0001f600",
        "\u200b",
        "\r\n",
        "\\",
        "{{ x }}",
        "{% x %}",
        "*|UNSUB|*",
        "988 ",
        "Call 988",
        # Pasted from other sites: raw HTML, links of every kind, other generators' leftovers.
        "<img src=x>",
        '<img src="images/connections.png">',
        '<img alt="a" src="https://example.org/a.png">',
        '<a href="/symptoms/x">root</a>',
        "[other](other.md)",
        "[sibling](sibling.md#part)",
        "[root](/about/team/#doctors)",
        "[file](files/form.pdf)",
        "[gone](#nowhere)",
        "[sms](sms:988)",
        "[mail](mailto:a@example.org)",
        "[ftp](ftp://example.org/x)",
        "## [heading link](/x)\n",
        "## ![heading picture](images/connections.png)\n",
        "## ...\n",
        "{{< figure src=x >}}",
        "{{% note %}}",
        ":sparkles:",
        ":tm:",
        "10:30:00",
        "[TOC]\n",
        "<!--TOC-->\n",
        '<span style="display:none">hidden</span>',
        "<div hidden>hidden</div>",
        '<font color="red">red</font>',
        "|\ta\t|\tb\t|\n|---|---|\n|\t1\t|\t2\t|\n",
    ]
)
WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
# Mostly Markdown and words; now and then any text at all (control characters included).
CLEAN_BODY = st.lists(st.one_of(MARKDOWN_PIECES, WORDS), min_size=1, max_size=40).map("".join)
ANY_BODY = st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=20)), max_size=40).map("".join)
BODY = st.one_of(CLEAN_BODY, CLEAN_BODY, CLEAN_BODY, ANY_BODY)

TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["Sleep & <Mood>", '"Quoted"', "", "   ", "a: b"]))
# Mostly text an editor could type, so that most examples get past the loader into the products.
PLAIN = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(str.strip)
VALUE = st.one_of(
    TEXT,
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.lists(TEXT, max_size=2),
    st.dictionaries(st.sampled_from(["name", "credentials", "subject", "preheader", "x"]), TEXT, max_size=2),
)
KEYS = st.sampled_from(
    [
        "title",
        "description",
        "author",
        "last_reviewed",
        "medical_reviewer",
        "category",
        "lang",
        "slug",
        "newsletter",
        "unknown",
    ]
)
VALID = st.fixed_dictionaries(
    {"title": PLAIN, "description": PLAIN, "author": PLAIN},
    optional={
        "last_reviewed": st.dates(),
        "category": PLAIN,
        "medical_reviewer": st.fixed_dictionaries({"name": PLAIN}),
        "newsletter": st.fixed_dictionaries({}, optional={"subject": PLAIN, "preheader": PLAIN}),
    },
)
ODD = st.one_of(
    st.fixed_dictionaries(
        {"title": TEXT, "description": TEXT, "author": TEXT},
        optional={
            key: VALUE for key in ("last_reviewed", "medical_reviewer", "category", "lang", "slug", "newsletter")
        },
    ),
    st.dictionaries(KEYS, VALUE, max_size=6),
)
FRONT_MATTER = st.one_of(VALID, VALID, VALID, ODD)


# Guides of generated articles, validated together at the end in one EPUBCheck process.
GUIDES = Path(tempfile.mkdtemp(prefix="fuzzed-guides-"))
COUNTS = {"examples": 0, "refused by the loader": 0, "loaded": 0, "refused by a product": 0}
SIBLING = "---\ntitle: A Sibling\ndescription: Another article.\nauthor: A\n---\n\n## Part\n\nText.\n"


def _site_with_images(folder: Path):
    sources = folder / "sources"
    (sources / "images").mkdir(parents=True)
    shutil.copy(ROOT / "tests/fixtures/rich/images/connections.png", sources / "images")
    (sources / "sibling.md").write_text(SIBLING)
    return load_site(ROOT, sources=sources, out=folder / "build"), sources


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
@given(front_matter=FRONT_MATTER, body=BODY, raw_header=st.booleans())
# Found by this test: a character beyond U+FFFF beside Arabic text, which PDFium splits into two text
# objects holding half a surrogate pair each (the handout's footer pass then failed to decode them).
@example(front_matter={"title": "0", "description": "0", "author": "0"}, body="مرحبا\U00010000", raw_header=False)
# Found by this test: "# <C" (text that looks like the start of a tag), which the web page put back as
# markup, so an element <c> swallowed the page and the required blocks with it (the proof refused it).
@example(front_matter={"title": "0", "description": "0", "author": "0"}, body="# <C", raw_header=False)
# Found by this test: a review dated 9999-01-01, whose next review fell in the year 10000.
@example(
    front_matter={"title": "0", "description": "0", "author": "0", "last_reviewed": dt.date(9999, 1, 1)},
    body="# ",
    raw_header=False,
)
# Found by this test: a definition straight after a heading ("## Term" then ": Definition"), which
# Python-Markdown made a <dl> holding only a <dd> (EPUBCheck RSC-005 in the guide).
@example(front_matter={"title": "0", "description": "0", "author": "0"}, body="## Term\n: Definition", raw_header=False)
def test_only_publishing_errors_escape(front_matter, body, raw_header):
    with tempfile.TemporaryDirectory() as scratch:
        site, sources = _site_with_images(Path(scratch))
        header = (
            yaml.safe_dump(front_matter, allow_unicode=True, default_flow_style=False)
            if not raw_header
            else "".join(f"{k}: {v}\n" for k, v in front_matter.items())
        )
        path = sources / "fuzzed.md"
        path.write_text(f"---\n{header}---\n{body}", encoding="utf-8", errors="surrogatepass")
        COUNTS["examples"] += 1
        try:
            article = load_article(path, site.settings, sources)
        except PublishingError as error:
            event(f"loader refused: {error.message[:40]}")
            COUNTS["refused by the loader"] += 1
            return
        event("loaded: built all three products")
        COUNTS["loaded"] += 1
        for name, product in PRODUCTS.items():
            workdir = Path(scratch) / name
            workdir.mkdir()
            try:
                files = product.build(article, site, workdir, product.default_variant)
            except PublishingError as error:  # a mistake in the source the product cannot show: refused
                event(f"{name} refused: {error.message[:40]}")
                COUNTS["refused by a product"] += 1
                continue
            # A loadable article's product always carries both blocks, visibly: a failed proof is a bug.
            product.verify(site, files, files[0], article)
            if files[0].suffix == ".epub" and len(list(GUIDES.iterdir())) < 300:
                shutil.copy(files[0], GUIDES / f"guide-{COUNTS['examples']}.epub")


def test_the_generated_guides_pass_epubcheck():
    """Every guide kept from the run above: 0 fatal, 0 errors (warnings and usage too: none)."""
    from publishing.gate.epubcheck import EpubChecker

    if not any(GUIDES.glob("*.epub")):  # run alone (pytest path::test): make the guides it checks first
        test_only_publishing_errors_escape()
    guides = sorted(GUIDES.glob("*.epub"))
    assert guides, "the property test above kept no guide"
    checker = EpubChecker(GUIDES / ".runner")
    for guide in guides:
        checker.submit(guide)
    bad = {
        path.name: (result.counts(), result.messages[:3], result.failure)
        for path, result in checker.results().items()
        if not result.clean
    }
    print(f"fuzz: {COUNTS}, {len(guides)} guides through EPUBCheck")
    assert not bad, bad
    shutil.rmtree(GUIDES, ignore_errors=True)
