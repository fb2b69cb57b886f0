"""The email newsletter: HTML with CSS inlined, its plain-text part, and both as a ready-to-send message.

Written for real inboxes (limits.py): Gmail clips a message at about 102 KB and keeps one
<style> in <head>; classic Outlook lays out with Word (tables, no media queries); mail
servers reject lines over 998 bytes. An article too long for the budget is cut at a
section boundary and ends with a "continue reading" line; the required blocks sit outside
the article body, so they are never cut.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..contract import Named, Product
from .limits import HTML_BUDGET, LINE_LIMIT, STYLE_LIMIT

SUFFIXES = (".html", ".txt", ".eml")
DESCRIPTIONS = {".html": "Newsletter (HTML)", ".txt": "Newsletter (plain text)", ".eml": "Newsletter (.eml)"}


class Newsletter(Product):
    name = "newsletter"
    folder = "newsletters"
    preview = "frame"
    layouts = ("newsletter",)
    renderers = ("jinja2", "css_inline", "lxml", "html2text", "PIL", "cairosvg")
    suffixes = SUFFIXES
    template = "newsletter.html"  # in layouts/newsletter/, beside the shared _email.html shell

    def rendered_with(self, layouts: Path, variant: str) -> list[Path]:
        """Its template, the shared shell and partials, the stylesheets (not the other template)."""
        other = {"newsletter.html", "issue.html"} - {self.template}
        return [path for path in super().rendered_with(layouts, variant) if path.name not in other]

    def output_names(self, slug: str, variant: str) -> list[str]:
        return [f"{slug}{suffix}" for suffix in SUFFIXES]

    def build(self, article, site, workdir: Path, variant: str) -> list[Path]:
        """The HTML, the text and the message, with CRLF line ends as mail needs; and beside them the
        images the HTML links at image_base_url, at the same paths (one folder to upload)."""
        from .compose import compose

        return self._write(compose(article, site), article, site, workdir, variant)

    def _write(self, edition, subject, site, workdir: Path, variant: str) -> list[Path]:
        from .message import message_bytes

        html_path, text_path, eml_path = (workdir / name for name in self.output_names(subject.name, variant))
        html_path.write_bytes(_crlf(edition.html).encode("utf-8"))
        text_path.write_bytes(_crlf(edition.text).encode("utf-8"))
        eml_path.write_bytes(message_bytes(edition, subject, site))
        files = [html_path, text_path, eml_path]
        for image in edition.images:
            path = workdir / image.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image.data)
            files.append(path)
        return files

    def witness_pages(self, site, files: list[Path], workdir: Path):
        """Chromium renders the HTML at 600 and 375 px, light and dark."""
        from ...proof import card_lines
        from ...sighting import Sighting, WitnessPage

        sightings = tuple(Sighting(block.id, block.name, card_lines(site, block)) for block in site.blocks)
        return [WitnessPage("browser", files[0], "the HTML", sightings, widths=(600, 375))]

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        from .verify import verify

        verify(subject, site, files, shown_as)

    def gate_rows(self, slug: str, label: str, files: list[Path]):
        """What inboxes refuse or cut: the size budget, <style> placement and size, active content,
        long lines, control characters."""
        from ...row import Row

        raw = files[0].read_bytes()
        html = raw.decode("utf-8", errors="replace")
        problems = []
        if len(raw) > HTML_BUDGET:
            problems.append(f"{len(raw):,} bytes, over the {HTML_BUDGET:,}-byte budget (Gmail clips at ~102 KB)")
        head, _, body = html.partition("</head>")
        styles = re.findall(r"<style\b[^>]*>(.*?)</style>", head, flags=re.S | re.I)
        if re.search(r"<style\b", body, flags=re.I):
            problems.append("<style> outside <head> (Gmail drops it)")
        if sum(len(s.encode()) for s in styles) > STYLE_LIMIT:
            problems.append(f"<style> over {STYLE_LIMIT // 1024} KB (Gmail drops it)")
        for tag in ("script", "form", "iframe", "object", "embed", "svg", "link"):
            if re.search(rf"<{tag}\b", html, flags=re.I):
                problems.append(f"contains <{tag}>")
        if re.search(r"src=[\"']data:", html, flags=re.I):
            problems.append("contains a base64 image")
        long_lines = [n for n, line in enumerate(raw.split(b"\n"), 1) if len(line.rstrip(b"\r")) > LINE_LIMIT]
        if long_lines:
            problems.append(f"line {long_lines[0]} is longer than {LINE_LIMIT} characters (SMTP limit)")
        if re.search(r"[\x80-\x9f]", html):
            problems.append("contains C1 control characters")
        rows = [
            Row(
                slug,
                label,
                "email rules",
                "fail" if problems else "pass",
                "; ".join(problems)
                or f"{len(raw) / 1024:.0f} KB of {HTML_BUDGET / 1000:.0f} KB; "
                "style only in <head>; no scripts, forms, frames or embedded images",
            )
        ]
        if re.search(r'<meta name="x-shortened"', head) or 'class="continue"' in html:
            rows.append(
                Row(
                    slug,
                    label,
                    "length",
                    "warn",
                    "the article was shortened to fit the email budget; readers are pointed to the full guide",
                )
            )
        return rows

    def warm_up(self, site) -> None:
        """Import the inliner, html2text and lxml before worker processes are forked."""
        import css_inline  # noqa: F401
        import html2text  # noqa: F401
        import lxml.html  # noqa: F401

    def describe(self, file_name: str) -> str:
        return DESCRIPTIONS.get(Path(file_name).suffix, file_name)

    def whose(self, files: list[Path], article) -> str | None:
        """The subject is the article's, in the HTML, the .eml and the .txt alike."""
        from .verify import whose

        return whose(files, article)

    def content_type(self, file_name: str) -> str | None:
        """The message as text, for staff to read in the browser (not a download)."""
        return "text/plain; charset=utf-8" if file_name.endswith(".eml") else None


class IssueNewsletter(Newsletter):
    """A monthly issue of several articles (sources/newsletters/<name>.md): `invoke newsletter` and
    `invoke build` make it beside the articles' own newsletters."""

    name = "newsletter issue"
    folder = "newsletters/issues"
    per_article = False
    preview = ""
    made_with = "newsletter"
    template = "issue.html"

    def build(self, issue, site, workdir: Path, variant: str) -> list[Path]:
        from .compose import compose_issue

        return self._write(compose_issue(issue, site), issue, site, workdir, variant)

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        """As every newsletter, and the crisis block before the first article's card."""
        from .verify import verify

        verify(None, site, files, shown_as, first_text_class="card")

    def rebuild_command(self, variant: str) -> str:
        return "invoke newsletter --force"

    def made_of(self, site, slug: str, source: Path | None, entry: dict) -> list[Path]:
        """Its own file and the articles it names now: an article renamed into or out of it shows."""
        from .issue import issue_reads

        assert source is not None
        return issue_reads(site, source)

    def subjects(self, site) -> list[Named]:
        """Every issue in sources/newsletters/, in its own 'lang:' (its file name says nothing about its
        language); each must have been built."""
        from .issue import declared_language, discover_issues

        return [Named(path.stem, path, declared_language(path) or "") for path in discover_issues(site.folders.sources)]

    def load(self, site, subjects: list[Named]):
        """Each issue and the articles it names, each article loaded once for all of them."""
        from .issue import load_issues

        return list(load_issues(site, [named.source for named in subjects if named.source is not None]))

    def source_rows(self, source: Path, site):
        """The issue loads (every article it names exists and builds); every card links somewhere."""
        from ...errors import PublishingError, shown_path
        from ...row import Row
        from .issue import cards, load_issues

        [issue] = load_issues(site, [source])
        if isinstance(issue, PublishingError):
            return [Row(source.stem, self.name, "loads", "fail", str(issue))]
        unlinked = [card.article.slug for card in cards(issue, site) if not card.url]
        if unlinked:
            return [
                Row(
                    issue.slug,
                    self.name,
                    "links",
                    "warn",
                    f"{shown_path(source)}: {len(unlinked)} card(s) ({', '.join(unlinked)}) have no web address to "
                    "link: their text asks readers to call instead; set web_address in [tool.publishing] (the cards "
                    "then link the web edition's pages) or article_url to give each a 'Read the guide' button",
                )
            ]
        return [Row(issue.slug, self.name, "links", "pass", f"{len(issue.articles)} card(s), each linked online")]

    def describe(self, file_name: str) -> str:
        return "Newsletter issue " + DESCRIPTIONS.get(Path(file_name).suffix, file_name).removeprefix("Newsletter ")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


PRODUCTS = {"newsletter": Newsletter(), "newsletter issue": IssueNewsletter()}
