"""An EPUB read the way a reading system reads it: the package, the spine, the landmarks, each
document with the stylesheets it links."""

from __future__ import annotations

import posixpath
import zipfile
from functools import cached_property
from pathlib import Path

from .cascade import Stylesheet, cached_stylesheet
from .markup import Visibility

OPS = "http://www.idpf.org/2007/ops"
# A reading app's page on a phone, in CSS px: how far is off the page.
READING_WIDTH = 375.0


class Epub:
    def __init__(self, path: Path, *, product: str, shown_as: Path, rebuild: str):
        import lxml.etree as etree

        from . import unreadable

        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
            container = etree.fromstring(self.archive.read("META-INF/container.xml"))
            self.package_path = container.find(".//{*}rootfile").get("full-path")
            self.package = etree.fromstring(self.archive.read(self.package_path))
        except (zipfile.BadZipFile, KeyError, AttributeError, etree.XMLSyntaxError) as error:
            raise unreadable(product, shown_as, "EPUB", error, rebuild) from None
        self.base = posixpath.dirname(self.package_path)
        self.manifest = {item.get("id"): item for item in self.package.iter("{*}item")}

    def __enter__(self) -> Epub:
        return self

    def __exit__(self, *exc) -> None:
        self.archive.close()

    def _inside(self, href: str, relative_to: str = "") -> str:
        """A document's path inside the package folder, from an href relative to ``relative_to``."""
        return posixpath.normpath(posixpath.join(posixpath.dirname(relative_to), href.split("#", 1)[0]))

    def read(self, name: str) -> bytes:
        return self.archive.read(posixpath.join(self.base, name) if self.base else name)

    @cached_property
    def spine(self) -> list[tuple[str, bool]]:
        """(document, linear) in reading order; a non-linear document is skipped when paging through."""
        return [
            (self.manifest[ref.get("idref")].get("href"), ref.get("linear", "yes") != "no")
            for ref in self.package.iter("{*}itemref")
        ]

    @cached_property
    def guide(self) -> dict[str, str]:
        """EPUB 2 guide references: type -> document."""
        return {ref.get("type"): self._inside(ref.get("href")) for ref in self.package.iter("{*}reference")}

    def landmark(self, kind: str) -> str | None:
        """The document a landmark (e.g. 'bodymatter') points to, from the navigation document."""
        nav = next(
            (item.get("href") for item in self.manifest.values() if "nav" in (item.get("properties") or "").split()),
            None,
        )
        if nav is None:
            return None
        document = self.document(nav)
        for section in document.iter("{*}nav"):
            if "landmarks" not in (section.get(f"{{{OPS}}}type") or "").split():
                continue
            for link in section.iter("{*}a"):
                if kind in (link.get(f"{{{OPS}}}type") or "").split():
                    return self._inside(link.get("href", ""), nav)
        return None

    def document(self, name: str):
        import lxml.etree as etree

        return etree.fromstring(self.read(name))

    def stylesheets(self, name: str, root, labels: dict[str, str]) -> list[Stylesheet]:
        """The document's linked stylesheets (``labels`` names their sources) and its <style> elements."""
        sheets = []
        for element in root.iter("{*}link", "{*}style"):
            if element.tag.endswith("style"):
                sheets.append(cached_stylesheet(element.text or "", f"a <style> in {name}"))
            elif "stylesheet" in (element.get("rel") or "").split() and element.get("href"):
                css_name = self._inside(element.get("href"), name)
                try:
                    css = self.read(css_name).decode("utf-8")
                except KeyError:
                    continue
                sheets.append(cached_stylesheet(css, labels.get(css_name, css_name)))
        return sheets

    def visibility(self, name: str, labels: dict[str, str], sources: list[Stylesheet]) -> tuple[object, Visibility]:
        root = self.document(name)
        return root, Visibility(
            root,
            self.stylesheets(name, root, labels),
            html=False,
            inline_origin=f"a style attribute in {name}",
            sources=sources,
            width=READING_WIDTH,
        )
