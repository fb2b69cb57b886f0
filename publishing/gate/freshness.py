"""Whether a product in build/ was built from the inputs it would be built from now.

The build records, beside each product, every input it was made of (the one account in inputs.py:
the article, its pictures, the articles it links to, the safety text, its language's message
catalog, the layouts, each setting, the fonts, the pipeline's code); the gate recomputes the same
account and names what differs. Checked on every
run, never taken from the gate's cache: the answer depends on files no product holds.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import shown_path
from ..inputs import SHARED, InputFingerprints, fingerprint_of
from ..row import Row
from ..state import BuildState


class Freshness:
    """The build's record of build/, and the inputs as they are now."""

    def __init__(self, site, inputs: InputFingerprints | None = None):
        self.site = site
        self.state = BuildState.load(site.folders.out)
        self.inputs = inputs or InputFingerprints(site)

    def row(self, product, variant: str, slug: str, source: Path | None) -> Row | None:
        """A FAIL row when the product was built from other inputs than the current ones (or the build
        kept no record of them); None when it is current. A product of several articles (an issue, the
        combined guide) is compared file by file with what it would be made of now."""
        if product.per_article:
            assert source is not None
            where, key = source, product.state_key(variant)
        else:
            where, key = product.recorded_as(self.site, slug, source, variant)
        entry = self.state.entry(where, key)
        label = product.label(variant)
        if entry is None:
            return _stale(slug, label, "the last build of it recorded none (or failed)", product.update_command({}))
        images = self.state.images(where, key)
        before = self.state.inputs(where, key)
        if product.per_article:
            account = self.inputs.account(product, variant, where, images)
            if account.fingerprint == entry.get("fingerprint"):
                return None
            now = account.parts
            if before is None:  # the record lost what every article shares: compared by its digest
                before, now = self.state.own_inputs(where, key), {SHARED: account.shared_digest, **account.own}
        else:
            now = self.inputs.parts_of_several(
                product, variant, product.made_of(self.site, slug, source, entry), images
            )
            if fingerprint_of(now) == entry.get("fingerprint"):
                return None
        changed = _changes(before or {}, now, self.site, where)
        what = f"{', '.join(changed)} changed since it was built"
        return _stale(slug, label, what, product.update_command(entry), changed)


def _stale(slug: str, label: str, what: str, command: str, changed: list[str] | None = None) -> Row:
    return Row(
        slug,
        label,
        "up to date",
        "fail",
        f"built from older inputs: {what}; run `{command}`",
        {"changed": changed or []},
    )


def _changes(before: dict, now: dict, site, source: Path) -> list[str]:
    """What staff call each input that differs, in a stable order, each named once."""
    names: list[str] = []
    for key in sorted(set(before) | set(now), key=_order):
        if before.get(key) != now.get(key):
            name = _describe(key, site, source)
            if key.startswith("file:") and (key not in before or key not in now):  # an article bound or dropped
                name += " (new)" if key not in before else " (removed)"
            if name not in names:
                names.append(name)
    return names or ["its inputs"]


_ORDER = ("source", "images", "link:", "file:", "setting:", "folder:", "fonts", "SOURCE_DATE_EPOCH", "variant", "code")


def _order(key: str) -> tuple[int, str]:
    return next((i for i, prefix in enumerate(_ORDER) if key.startswith(prefix)), len(_ORDER)), key


def _describe(key: str, site, source: Path) -> str:
    kind, _, name = key.partition(":")
    if key == "source":
        return shown_path(source)
    if key == "images":
        return "a picture it shows"
    if kind == "link":
        return f"{shown_path(site.folders.root / name)} (an article it links to)"
    if kind in ("file", "folder"):
        return shown_path(site.folders.root / name) + ("/" if kind == "folder" else "")
    if kind == "setting":
        return f"{name} in {shown_path(site.folders.root / 'pyproject.toml')}"
    if key == "code":
        return "the publishing software"
    if key == "fonts":
        return "the fonts"
    if key == SHARED:  # known only by its digest: the record of its parts was lost
        return "what it shares with every article's product (the code, the layouts, the fonts or the settings)"
    return key
