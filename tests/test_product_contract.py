"""The product contract as a maintainer adding a product meets it: the build, the command line, the gate,
the proof and the preview never name a product, its folder, its variants or the endings of its files;
each product names its own subjects and declares what the others read.

The first test reads the modules with `ast`, not by importing them: what is measured is what a person
reads (and a string literal is where a product's name would be wedged in)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT, SAMPLE, add_spanish_translation, copy_project

# The modules that drive every product alike: none of them may know one product from another.
DRIVERS = (
    "publishing/build.py",
    "publishing/product_build.py",
    "publishing/cli.py",
    "publishing/preview.py",
    "publishing/leftovers.py",
    "publishing/report.py",
    "publishing/gate",
    "publishing/proof",
)


def _registered() -> dict[str, str]:
    """Every word a product owns, and whose it is: its name, folder, other variants, reserved names and
    file endings, and the commands that name it."""
    from publishing.products import ALL_PRODUCTS

    owned: dict[str, str] = {}
    for product in ALL_PRODUCTS.values():
        words = [product.name, product.folder, *product.suffixes, *product.variants[1:], *product.reserved]
        for word in words:
            owned.setdefault(word, product.name)  # the guide's ".epub", before the combined guide's
    return owned


def mentions(root: Path) -> list[str]:
    """``path:line: 'literal'`` for each string literal in the driving modules under ``root`` that is a
    word a product owns, or a command that names a product (invoke <product>, --only <product>)."""
    owned = _registered()
    commands = {f"{how} {name}": name for name in set(owned.values()) for how in ("invoke", "--only")}
    found = []
    for driver in DRIVERS:
        path = root / driver
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                named = owned.get(node.value) or next((n for c, n in commands.items() if c in node.value), None)
                if named:
                    where = f"{file.relative_to(root)}:{node.lineno}"
                    found.append((file.relative_to(root), node.lineno, f"{where}: {node.value!r} (the {named}'s)"))
    return [line for *_, line in sorted(found)]


def test_no_module_that_drives_the_products_names_a_product_its_variants_or_its_files():
    assert mentions(ROOT) == []


def test_the_check_finds_a_product_named_in_the_build(tmp_path):
    """A maintainer wedging a product in by name, the way the newsletter issues once were: caught."""
    for driver in DRIVERS:
        source = ROOT / driver
        target = tmp_path / driver
        if source.is_dir():
            for file in source.rglob("*.py"):
                (target / file.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
                (target / file.relative_to(source)).write_bytes(file.read_bytes())
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    build = tmp_path / "publishing/build.py"
    text = build.read_text(encoding="utf-8")
    build.write_text(text + '\n\ndef _issues(products):\n    return "newsletter" in products\n', encoding="utf-8")
    gate = tmp_path / "publishing/gate/__init__.py"
    gate.write_text(gate.read_text(encoding="utf-8") + '\n\nEPUB = ".epub"\n', encoding="utf-8")
    lines = len(text.splitlines())
    assert mentions(tmp_path) == [
        f"publishing/build.py:{lines + 4}: 'newsletter' (the newsletter's)",
        f"publishing/gate/__init__.py:{len(gate.read_text().splitlines())}: '.epub' (the guide's)",
    ]


def test_every_file_a_product_writes_ends_as_it_declares():
    """The gate names any other file in a product's folder as left over: each product's own endings."""
    from publishing.products import ALL_PRODUCTS

    for product in ALL_PRODUCTS.values():
        for variant in product.variants:
            for name in product.output_names("an-article", variant):
                assert name.endswith(product.suffixes), (product.name, variant, name)
                assert product.variant_named(name) == variant, (product.name, name)


def test_one_registry_lists_every_product_those_of_every_article_first():
    from publishing.products import ALL_PRODUCTS, PACKAGES, PRODUCTS

    assert list(ALL_PRODUCTS) == [
        "handout",
        "guide",
        "newsletter",
        "web",
        "combined guide",
        "newsletter issue",
        "web index",
    ]
    assert list(PRODUCTS) == ["handout", "guide", "newsletter", "web"]
    assert PACKAGES == ("handout", "guide", "newsletter", "web")
    # Made with another product, or on its own command only: never a product nobody builds.
    assert {n: p.made_with for n, p in ALL_PRODUCTS.items() if not p.per_article} == {
        "combined guide": "",
        "newsletter issue": "newsletter",
        "web index": "web",
    }


def test_each_product_names_its_subjects_in_their_own_languages(tmp_path):
    """Articles and their editions from the catalogue, one combined guide per language (in the language
    of its edition, not read from its name), each issue in its own 'lang:'."""
    from publishing.products import ALL_PRODUCTS, Named
    from publishing.site import load_site

    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    issues = project / "sources" / "newsletters"
    issues.mkdir()
    (issues / "2026-12.md").write_text(f"---\ntitle: Diciembre\nlang: es\narticles:\n  - {SAMPLE}\n---\n\nHola.\n")
    site = load_site(project)
    english = project / "sources" / f"{SAMPLE}.md"
    for name in ("handout", "guide", "newsletter"):
        assert ALL_PRODUCTS[name].subjects(site) == [
            Named(SAMPLE, english),
            Named(f"{SAMPLE}.es", translation, "es"),
        ]
    assert ALL_PRODUCTS["combined guide"].subjects(site) == [
        Named("patient-guide", None, required=False),
        Named("patient-guide.es", None, "es", required=False),
    ]
    assert ALL_PRODUCTS["newsletter issue"].subjects(site) == [Named("2026-12", issues / "2026-12.md", "es")]
