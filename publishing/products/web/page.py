"""One article's web page: its address, its body with links and pictures made right for the site, the
downloads copied beside it, its alternates in other languages and its schema.org description."""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ...article import Article
from ...links import Links
from ...site import Site
from .address import own_name, page_address, page_folder

# What a patient can download from the page, in this order: (product, variant; "" its plain one). The
# print-shop PDF is for a press, not for patients.
DOWNLOADS = (("handout", ""), ("handout", "large-print"), ("guide", ""))


@dataclass(frozen=True)
class Download:
    """One file a patient can take away: what it is, its file name beside the page, its size, its pages."""

    label: str
    file_name: str
    kind: str  # "PDF", "EPUB"
    size: str  # "1.2 MB"
    pages: int | None


@dataclass(frozen=True)
class Alternate:
    """The same article in another language (or this one): its tag, its language's name, its address."""

    lang: str
    name: str
    href: str  # its address online where the clinic gave one (hreflang), else relative
    local: str  # relative to this page: the site works on any host, and offline
    current: bool


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{max(1, round(count / 1000))} KB"


def copy_downloads(article: Article, site: Site, target: Path) -> list[Download]:
    """Each product of DOWNLOADS that this build made of the article, copied into ``target``."""
    # The products' own packages, not the registry (which imports this one).
    from ..guide import PRODUCTS as GUIDES
    from ..handout import PRODUCTS as HANDOUTS

    products = {**HANDOUTS, **GUIDES}
    labels = {
        ("handout", ""): site._("Printed handout"),
        ("handout", "large-print"): site._("Large-print handout"),
        ("guide", ""): site._("E-book (EPUB) for phones and e-readers"),
    }
    found = []
    for name, variant in DOWNLOADS:
        product = products[name]
        built = (
            site.folders.out
            / product.folder
            / product.output_names(article.name, variant or product.default_variant)[0]
        )
        if not built.is_file():
            continue
        shutil.copyfile(built, target / built.name)
        pages = None
        if built.suffix == ".pdf":
            from pypdf import PdfReader

            pages = len(PdfReader(built).pages)
        kind = built.suffix.lstrip(".").upper()
        found.append(Download(labels[name, variant], built.name, kind, _size(built.stat().st_size), pages))
    return found


def page_body(article: Article, site: Site, target: Path) -> tuple[str, list[Path]]:
    """The article's HTML for the page: links resolved, pictures copied into ``target``/images/; and
    the pictures written."""
    import lxml.html

    fragment = lxml.html.fragment_fromstring(article.body_html or "<p></p>", create_parent="div")
    Links(site, article).resolve(fragment)
    by_src = {image.src: image for image in article.images}
    written: list[Path] = []
    for element in fragment.iter("img"):
        image = by_src.get(element.get("src", ""))
        if image is None:
            continue
        copy = target / "images" / image.path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(image.path, copy)
        written.append(copy)
        element.set("src", f"images/{image.path.name}")
    for table in fragment.iter("table"):
        # A wide table scrolls inside its own box on a phone, never the page: the box is focusable
        # so a keyboard can scroll it too.
        wrapper = lxml.html.Element("div", {"class": "table-scroll", "tabindex": "0", "role": "region"})
        wrapper.set("aria-label", site._("Table (scrolls sideways)"))
        table.addprevious(wrapper)
        wrapper.append(table)
    # The text before the first element is parsed text: escaped again, or a "<C" typed in the article
    # would become a tag that swallows the rest of the page (the required blocks with it).
    leading = html.escape(fragment.text or "", quote=False)
    return leading + "".join(lxml.html.tostring(child, encoding="unicode") for child in fragment), written


def alternates(article: Article, site: Site, depth: int) -> list[Alternate]:
    """The article in each language the library has it in, this page included (hreflang)."""
    found = site.catalogue
    original = found.original(article.source) or article.source
    if original not in found.accepted and original != article.source:
        original = article.source
    up = "../" * depth
    editions = [("", original)] + [
        (edition, found.translation(original, edition)) for edition in found.languages(original)
    ]
    result = []
    for edition, source in editions:
        if source is None:
            continue
        tag = edition or site.settings.default_lang
        folder = page_folder(found.slugs[source], edition)
        href = page_address(site, folder) or up + folder
        result.append(Alternate(tag, own_name(tag), href, up + folder, source == article.source))
    return result


def structured_data(article: Article, site: Site, address: str, faq: list[tuple[str, str]]) -> str:
    """schema.org MedicalWebPage as JSON-LD; lastReviewed and reviewedBy only for a review that covers
    this very text (never for an unreviewed or since-changed article); FAQPage for an FAQ section."""
    from ...review import REVIEWED, state

    page: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "description": article.description,
        "inLanguage": article.lang,
        "author": {"@type": "Organization", "name": article.author},
        "publisher": {
            "@type": "MedicalOrganization",
            "name": site.settings.clinic_name,
            "telephone": site.settings.clinic_phone,
        },
    }
    if address:
        page["url"] = address
    if article.category:
        page["about"] = article.category
    if state(article) == REVIEWED and article.last_reviewed is not None:
        page["lastReviewed"] = article.last_reviewed.isoformat()
        if article.medical_reviewer is not None:
            reviewer = article.medical_reviewer
            page["reviewedBy"] = {"@type": "Person", "name": reviewer.name}
            if getattr(reviewer, "credentials", ""):
                page["reviewedBy"]["honorificSuffix"] = reviewer.credentials
    documents = [page]
    if faq:
        documents.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "inLanguage": article.lang,
                "mainEntity": [
                    {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}} for q, a in faq
                ],
            }
        )
    # "</" never appears inside the script element: a title cannot end it early.
    return json.dumps(documents if faq else page, ensure_ascii=False, indent=1).replace("</", "<\\/")


# The title of a section of questions and answers, in the languages the library has (FAQPage).
_FAQ_TITLES = ("frequently asked questions", "faq", "questions and answers", "preguntas frecuentes")


def faq_of(body_html: str) -> list[tuple[str, str]]:
    """The questions (h3) and their answers (what follows each, up to the next heading) of the
    article's FAQ section: the h2 whose words are one of _FAQ_TITLES."""
    import lxml.html

    fragment = lxml.html.fragment_fromstring(body_html or "<p></p>", create_parent="div")
    pairs: list[tuple[str, list[str]]] = []
    inside = False
    for child in fragment:
        words = " ".join(child.text_content().split())
        if child.tag == "h2":
            inside = words.casefold().rstrip("?:") in _FAQ_TITLES
        elif inside and child.tag == "h3":
            pairs.append((words, []))
        elif inside and pairs and words:
            pairs[-1][1].append(words)
    return [(question, " ".join(answer)) for question, answer in pairs if answer]
