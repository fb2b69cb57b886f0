"""Generated Markdown and front matter, fed to the loader and all three products: whatever staff
paste, the only exception that may escape is the project's own PublishingError, and every product
built from a loadable article passes its own proof (both blocks there and visible).

FUZZ_EXAMPLES sets the number of examples (500 in CI; a long run uses 10000 or more)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
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


def _site_with_images(folder: Path):
    sources = folder / "sources"
    (sources / "images").mkdir(parents=True)
    shutil.copy(ROOT / "tests/fixtures/rich/images/connections.png", sources / "images")
    return load_site(ROOT, sources=sources, out=folder / "build"), sources


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
@given(front_matter=FRONT_MATTER, body=BODY, raw_header=st.booleans())
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
        try:
            article = load_article(path, site.settings, sources)
        except PublishingError as error:
            event(f"loader refused: {error.message[:40]}")
            return
        event("loaded: built all three products")
        for name, product in PRODUCTS.items():
            workdir = Path(scratch) / name
            workdir.mkdir()
            try:
                files = product.build(article, site, workdir, product.default_variant)
            except PublishingError as error:  # a mistake in the source the product cannot show: refused
                event(f"{name} refused: {error.message[:40]}")
                continue
            # A loadable article's product always carries both blocks, visibly: a failed proof is a bug.
            product.verify(site, files, files[0], article)
