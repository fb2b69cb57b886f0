"""The print-ready PDF handout (WeasyPrint): Letter or A4, tagged PDF/UA-1, fonts embedded.

Three variants: ``office`` for the clinic's printer, ``large-print`` for patients with low
vision, ``print-shop`` (PDF/X-4 with bleed and crop marks) for a press.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ... import proof
from ...errors import RequiredBlockFailure
from ..contract import Product

SUFFIX = ".pdf"
# variant -> what its file name carries before the suffix
INFIXES = {"office": "", "large-print": ".large-print", "print-shop": ".print-shop"}
DESCRIPTIONS = {"office": "PDF handout", "large-print": "Large-print handout", "print-shop": "Print-shop handout"}


class Handout(Product):
    name = "handout"
    folder = "handouts"
    variants = tuple(INFIXES)
    needs_weasyprint = True
    preview = "picture"
    layouts = ("handout",)
    renderers = ("jinja2", "weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "fontTools")
    suffixes = (SUFFIX,)

    def rendered_with(self, layouts: Path, variant: str) -> list[Path]:
        """The template, the stylesheet, and the variant's own stylesheet on top of it."""
        from .render import VARIANT_SETTINGS

        sheet = VARIANT_SETTINGS[variant][0]
        return [layouts / "handout" / name for name in ("handout.html", "handout.css", *([sheet] if sheet else []))]

    def output_names(self, slug: str, variant: str) -> list[str]:
        return [f"{slug}{INFIXES[variant]}{SUFFIX}"]

    def build(self, article, site, workdir: Path, variant: str) -> list[Path]:
        from .render import render_pdf

        target = workdir / self.output_names(article.name, variant)[0]
        render_pdf(article, site, target, variant)
        from .fit import place_qr_code

        # Page 1's crisis card and first words come before the QR code.
        place_qr_code(article, site, target, variant, self.rebuild_command(variant))
        from .artifacts import mark_margin_boxes_as_artifacts

        mark_margin_boxes_as_artifacts(target, keep=site.blocks.crisis.title)  # footers: not read as the article
        if variant == "print-shop":
            from .artifacts import mark_crop_marks_as_production_aids
            from .press import check_picture_resolution
            from .press_colour import to_press_colour

            mark_crop_marks_as_production_aids(target)  # printer's marks, not the article's drawing
            to_press_colour(target)
            check_picture_resolution(target, article)
        return [target]

    def verify(self, site, files: list[Path], shown_as: Path, subject=None) -> None:
        """Page 1 shows the crisis information before the article, every later page its title in the
        footer, the last page the disclaimer; all visible (every glyph at least 9 pt, the crisis title
        at least the body size, on the paper, in contrast). A print-shop file then passes a PDF/X-4
        colour preflight."""
        from ...proof.pdf import PdfText

        blocks = site.blocks
        rebuild = self.rebuild_command(self.variant_named(shown_as.name))
        with PdfText(files[0], product=self.name, shown_as=shown_as, rebuild=rebuild) as pdf:
            last = len(pdf) - 1
            opening = proof.opening_words(subject.plain_text) if subject is not None else ""
            if subject is not None:  # a page 1 too full says what is too long before a block proof fails
                from .fit import require_first_page_holds

                label = site._("Page %(page)s of %(pages)s", page=1, pages=len(pdf))
                large_print = files[0].name.endswith(INFIXES["large-print"] + SUFFIX)
                require_first_page_holds(
                    pdf, subject, blocks.crisis, opening, label, product=self.name, large_print=large_print
                )
            proof.require_in_pdf(
                pdf,
                0,
                blocks.crisis,
                product=self.name,
                where="page 1",
                shown_as=shown_as,
                title_at_least=pdf.body_points(),
                lines=proof.card_lines(site, blocks.crisis),
            )
            proof.require_in_pdf(
                pdf,
                last,
                blocks.disclaimer,
                product=self.name,
                where=f"the last page (page {last + 1})",
                shown_as=shown_as,
                lines=proof.card_lines(site, blocks.disclaimer),
            )
            # The crisis card's title, one line in every later page's footer.
            proof.require_on_later_pages(pdf, blocks.crisis, blocks.crisis.title, product=self.name, shown_as=shown_as)
            # The article's first words must come after the crisis block (they may also occur before
            # it, in the title, when the article is short).
            crisis = pdf.find(0, blocks.crisis.proof_texts[-1])  # found: the block was proven above
            crisis_ends = crisis.stop - 1 if crisis is not None else -1
            if pdf.find(0, opening) is not None and pdf.find(0, opening, after=crisis_ends) is None:
                raise RequiredBlockFailure(
                    shown_as,
                    f"{self.name}: on page 1 the {blocks.crisis.name} comes after the article's text begins",
                    hint="the reader must meet it first: place the crisis() macro before the article in the layout",
                )
        # Every character in a font designated for the language (Farsi, Arabic, Russian): the build
        # refuses this first, naming the source; here `invoke check` asks of the file itself.
        from .fonts import refuse_stray_glyphs

        refuse_stray_glyphs(files[0], site.tag, shown_as)
        if files[0].name.endswith(INFIXES["print-shop"] + SUFFIX):  # a file the block proof could read
            from .preflight import require_press_ready

            require_press_ready(files[0], shown_as)

    def witness_pages(self, site, files: list[Path], workdir: Path):
        """PDFium renders page 1 with and without the crisis card's text, the last page the disclaimer's."""
        from ...proof.pdf import PdfText
        from ...sighting import Sighting, WitnessPage

        rebuild = self.rebuild_command(self.variant_named(files[0].name))
        with PdfText(files[0], product=self.name, shown_as=files[0], rebuild=rebuild) as pdf:
            last = len(pdf) - 1
        sightings = tuple(
            Sighting(block.id, block.name, proof.card_lines(site, block), page)
            for block, page in ((site.blocks.crisis, 0), (site.blocks.disclaimer, last))
        )
        return [WitnessPage("pdf", files[0], "the PDF", sightings)]

    def gate_rows(self, slug: str, label: str, files: list[Path]):
        """Tagged, titled, in a language, every font embedded."""
        from pypdf import PdfReader

        from ...row import Row
        from .fonts import pdf_fonts

        reader = PdfReader(files[0])
        catalog: Any = reader.trailer["/Root"]
        problems = []
        if "/StructTreeRoot" not in catalog or not bool(catalog.get("/MarkInfo", {}).get("/Marked")):
            problems.append("not a tagged PDF")
        if not str(catalog.get("/Lang", "")):
            problems.append("no document language")
        if not (reader.metadata and reader.metadata.title):
            problems.append("no title")
        fonts = pdf_fonts(reader)
        unembedded = sorted(name for name, embedded in fonts.items() if not embedded)
        if unembedded:
            problems.append(f"fonts not embedded: {', '.join(unembedded)}")
        status, detail = (
            ("fail", "; ".join(problems))
            if problems
            else (
                "pass",
                f"tagged, titled, language set; {len(fonts)} font(s), all embedded; {len(reader.pages)} page(s)",
            )
        )
        return [Row(slug, label, "PDF tags and fonts", status, detail)]

    def variant_named(self, file_name: str) -> str:
        return next((v for v, infix in INFIXES.items() if infix and file_name.endswith(infix + SUFFIX)), "office")

    def describe(self, file_name: str) -> str:
        variant = next((v for v, infix in INFIXES.items() if infix and infix + SUFFIX in file_name), "office")
        return DESCRIPTIONS[variant]

    def whose(self, files: list[Path], article) -> str | None:
        """The PDF's title is the article's."""
        import pypdfium2

        document = pypdfium2.PdfDocument(str(files[0]))
        try:
            title = " ".join(str(document.get_metadata_dict().get("Title", "")).split())
        except pypdfium2.PdfiumError as error:
            return f"{files[0].name} cannot be read ({error})"
        finally:
            document.close()
        expected = " ".join(article.title.split())
        if title != expected:
            return f"{files[0].name} is the handout of '{title}', not of '{expected}'"
        return None

    def printable(self, character: str) -> bool:
        """Only what the shipped fonts hold: a PDF prints no character its embedded fonts lack."""
        from ...resources import font_characters

        return all(ord(c) in font_characters() for c in character if c != "\ufe0f")

    def thumbnail(self, path: Path) -> bytes:
        """Page 1 at half size (pypdfium2); a damaged or half-copied PDF is a ValueError."""
        import io

        import pypdfium2

        try:
            document = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError as error:
            raise ValueError(f"{type(error).__name__}: {error}") from None
        try:
            image = document[0].render(scale=0.5).to_pil()
        except (pypdfium2.PdfiumError, IndexError) as error:
            raise ValueError(f"{type(error).__name__}: {error}") from None
        finally:
            document.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


PRODUCTS = {"handout": Handout()}
