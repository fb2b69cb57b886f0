"""Every page of the web edition in one shell (layouts/web/_page.html)."""

from __future__ import annotations

from .address import STYLESHEET


def render_page(site, template: str, depth: int, *, lang: str, **context) -> str:
    """A page of the site in its shell (layouts/web/_page.html): its language and writing direction, the
    stylesheet, the blocks, the way up to the site's root (``depth`` folders)."""
    from ...bidi import hold_phone_numbers, isolate_html
    from ...languages import direction

    page = site.render(
        template,
        settings=site.settings,
        blocks=site.blocks,
        lang=lang,
        direction=direction(lang),
        css=(site.folders.layouts / STYLESHEET).read_text(encoding="utf-8"),
        up="../" * depth,
        **context,
    )
    if direction(lang) == "rtl":
        # Numbers and addresses left to right in Farsi and Arabic text, each held on one line by its
        # characters as in the newsletter: "(310) 280-4440" split across lines is misdialled.
        page = isolate_html(page)
    else:
        page = hold_phone_numbers(page)
    return page
