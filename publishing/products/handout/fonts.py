"""Which fonts a handout uses, and a warning when a glyph prints in a font the project does not ship."""

from __future__ import annotations

import logging

from ...errors import PublishingError
from ...languages import SCRIPT_FONTS, script
from ...resources import FONT_FAMILY, designated_faces, font_characters, missing_faces

log = logging.getLogger("publishing.handout")


def pdf_fonts(pdf) -> dict[str, bool]:
    """Each font a PDF uses (subset prefix such as 'ABCDEF+' removed) and whether its file is embedded.

    ``pdf`` is a path or an open pypdf reader. Fonts inside form XObjects (SVG pictures) count too."""
    from pypdf import PdfReader

    reader = pdf if isinstance(pdf, PdfReader) else PdfReader(pdf)
    fonts: dict[str, bool] = {}
    seen: set[int] = set()

    def collect(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
            owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = owner.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[name] = font.get("/Subtype") == "/Type3" or any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
        for reference in resources.get("/XObject", {}).values():
            if reference.idnum not in seen:
                seen.add(reference.idnum)
                collect(reference.get_object().get("/Resources"))

    for page in reader.pages:
        collect(page.get("/Resources"))
    return fonts


def warn_about_fallback_fonts(used_fonts: set[str], html: str, lang: str | None = None) -> None:
    """Pango silently borrows a glyph the shipped font lacks from whatever the machine has
    (DejaVu here, something else on a clinic PC): say which font and which characters."""
    designated = tuple(dict.fromkeys(family.replace(" ", "-") for _, family, _, _ in designated_faces(lang)))
    borrowed = sorted(name for name in used_fonts if not name.startswith(designated))
    if not borrowed:
        return
    from ...htmltext import tag_free

    text = tag_free(html)
    missing = sorted({char for char in text if not char.isspace() and ord(char) not in font_characters(lang)})
    fallback = ", ".join(borrowed)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:8])
        log.warning(
            "%s is not in %s and prints in a system font (%s): replace it in the source", shown, FONT_FAMILY, fallback
        )
    else:
        log.warning(
            "a character the layout adds (a hyphen, list marker or quote from CSS) is not in %s "
            "and prints in a system font (%s): set one the font has in layouts/handout/",
            FONT_FAMILY,
            fallback,
        )


def refuse_stray_glyphs(pdf, lang: str, source) -> None:
    """A handout in a script beyond Latin (Farsi, Arabic) is refused when any character of it is drawn
    from a font not designated for the language, or as .notdef: named with its page, so the source or
    the font can be fixed. (A Latin handout keeps the warning above: its fonts have been proven since.)
    A script with no designated font is refused too: there is nothing to judge its glyphs against."""
    written_in = script(lang)
    if written_in == "Latn":
        return
    if written_in not in SCRIPT_FONTS:
        raise PublishingError(
            source,
            f"handout: no font is designated for the script of '{lang}' ({written_in}), so its glyphs cannot be proven",
            hint="name the script's font in publishing/languages.py (SCRIPT_FONTS), or correct the article's lang",
        )
    from ...proof.glyphs import strays

    found = strays(pdf, lang)
    if found:
        family, folder, _ = SCRIPT_FONTS[script(lang)]
        missing = missing_faces(lang)
        hint = (
            f"the designated font {family} is missing ({', '.join(p.name for p in missing)} in publishing/fonts/"
            f"{folder}/): restore it (git checkout publishing/fonts) and build again"
            if missing
            else f"every character must print in the fonts designated for '{lang}' ({FONT_FAMILY}, {family}; "
            "publishing/languages.py): replace the character in the source, or ship a font that has it"
        )
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise PublishingError(source, f"handout: {found[0]}{more}", hint=hint)
