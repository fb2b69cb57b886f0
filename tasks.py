"""Tasks for staff and CI: `invoke --list` shows them. Each parses options and calls publishing."""

from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent

SOURCE_HELP = {
    "sources": "folder of articles (default: sources)",
    "out": "folder for the products (default: build)",
}
BUILD_HELP = {
    **SOURCE_HELP,
    "jobs": "articles built at once (default: the number of cores)",
    "force": "rebuild even what is up to date",
}


def _finish(code: int) -> None:
    if code:
        raise Exit(code=code)


@task(help={**BUILD_HELP, "only": "comma-separated products: handout,guide,newsletter"})
def build(c, sources=None, out=None, only=None, jobs=0, force=False):
    """Build every article into PDF handouts, EPUB guides and newsletters."""
    from publishing import cli

    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only=only, jobs=jobs, force=force))


@task(help={**BUILD_HELP, "variant": "office (default), large-print or print-shop"})
def handout(c, sources=None, out=None, variant="office", jobs=0, force=False):
    """Build only the PDF handouts."""
    from publishing import cli

    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="handout", variant=variant, jobs=jobs, force=force))


@task(
    help={
        **BUILD_HELP,
        "bundle": "bind the articles into one guide, build/guides/patient-guide.epub",
        "articles": "with --bundle: comma-separated slugs, in reading order (default: every article)",
    }
)
def guide(c, sources=None, out=None, jobs=0, force=False, bundle=False, articles=None):
    """Build only the EPUB patient guides (--bundle: one guide of all articles)."""
    from publishing import cli

    if articles and not bundle:
        raise Exit("error: --articles chooses what --bundle binds; add --bundle", code=2)
    if bundle:
        _finish(cli.run(cli.on_request, ROOT, "combined guide", sources=sources, out=out, articles=articles))
        return
    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="guide", jobs=jobs, force=force))


@task(help=BUILD_HELP)
def newsletter(c, sources=None, out=None, jobs=0, force=False):
    """Build only the email newsletters (.html, .txt and the ready-to-send .eml)."""
    from publishing import cli

    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="newsletter", jobs=jobs, force=force))


@task(
    help={
        **SOURCE_HELP,
        "strict": "treat warnings (no review date, empty settings) as failures",
        "fresh": "check everything again, even what has not changed since the last check",
    }
)
def check(c, sources=None, out=None, strict=False, fresh=False):
    """Verify build/ and the sources before publishing; write build/check.json."""
    from publishing import cli

    _finish(cli.run(cli.check, ROOT, sources=sources, out=out, strict=strict, fresh=fresh))


@task(
    positional=["slug"],
    help={
        **SOURCE_HELP,
        "slug": "the article whose newsletter to send",
        "to": "the recipient's email address",
        "unreviewed": "send even what is not clinically reviewed as it reads now (a draft; the output says so)",
    },
)
def send(c, slug, to=None, sources=None, out=None, unreviewed=False):
    """Send a built newsletter (an article's slug, or an issue's name) to one address over SMTP."""
    from publishing import cli

    if slug.startswith("-"):  # invoke takes `invoke send --help` as the slug "--help"
        raise Exit(
            "usage: invoke send <slug> --to name@example.org   (all options: invoke --help send)",
            code=0 if slug in ("-h", "--help") else 2,
        )
    if not to:
        raise Exit("error: say who receives it: invoke send <slug> --to name@example.org", code=2)
    _finish(cli.run(cli.send, ROOT, slug, to=to, sources=sources, out=out, unreviewed=unreviewed))


@task(positional=["slug"], help={"slug": "the article whose remote images to save", "sources": SOURCE_HELP["sources"]})
def fetch_images(c, slug, sources=None):
    """Download the remote images an article links into sources/images/ and relink them (uses the network)."""
    from publishing import cli

    _finish(cli.run(cli.fetch_images, ROOT, slug, sources=sources))


@task(help={"title": "the article's title, in quotes"})
def new(c, title):
    """Create sources/<slug>.md for a new article, with a skeleton to fill in."""
    from publishing import cli

    _finish(cli.run(cli.new, ROOT, title))


@task(
    positional=["slug"],
    help={
        "slug": "the article to translate",
        "lang": "the language to translate into, e.g. es (or es-US)",
        "current": "record that the translation now matches its English source (clears 'stale')",
        "sources": SOURCE_HELP["sources"],
    },
)
def translate(c, slug, lang=None, current=False, sources=None):
    """Create sources/<slug>.<lang>.md from the English article, or (--current) mark it up to date."""
    from publishing import cli

    if not lang:
        raise Exit("error: say which language: invoke translate <slug> --lang es", code=2)
    _finish(cli.run(cli.translate, ROOT, slug, lang=lang, current=current, sources=sources))


@task(
    help={
        "lang": "the language whose blocks the clinic approved, e.g. es (en: the default language's)",
        "by": 'who approved the words, in quotes: "Name, role"',
        "date": "when, YYYY-MM-DD (default: today)",
    }
)
def approve_blocks(c, lang=None, by=None, date=None):
    """Record the clinic's approval of a language's crisis and disclaimer text, word for word."""
    from publishing import cli

    if not lang or not by:
        raise Exit('error: say which language and who approved it: invoke approve-blocks --lang es --by "Name"', code=2)
    _finish(cli.run(cli.approve_blocks, ROOT, lang=lang, by=by, date=date))


@task(
    positional=["slug"],
    help={
        "slug": "the article (or translation, e.g. sleep-and-mood.es) a clinician reviewed",
        "by": 'who reviewed it, in quotes: "Name, credentials"',
        "date": "when, YYYY-MM-DD (default: today)",
        "sources": SOURCE_HELP["sources"],
    },
)
def review(c, slug, by=None, date=None, sources=None):
    """Record a clinical review of an article as it reads now (its version); a later edit shows as changed."""
    from publishing import cli

    if not by:
        raise Exit('error: say who reviewed it: invoke review <slug> --by "Name, credentials"', code=2)
    _finish(cli.run(cli.review, ROOT, slug, by=by, date=date, sources=sources))


@task(help={**SOURCE_HELP, "port": "port on 127.0.0.1 (default 8000; 0 picks a free one)"})
def serve(c, port=8000, sources=None, out=None):
    """Preview every product in a browser; rebuilds what changes."""
    from publishing import cli

    _finish(cli.run(cli.serve, ROOT, port=port, sources=sources, out=out))


@task
def messages(c):
    """Extract the words the layouts and products print into layouts/locale/messages.pot and bring
    every language's catalog up to date (then translate what is new: an untranslated message stops a build)."""
    from publishing import cli, words

    _finish(cli.run(words.messages, ROOT))


@task
def test(c):
    """Lint, format and type checks, then the test suite (the README's test command)."""
    import shlex
    import sys

    # The Python running invoke (.venv's, once activated), whatever `python` is first on PATH.
    python = shlex.quote(sys.executable)
    with c.cd(str(ROOT)):
        c.run(f"{python} -m ruff check .", pty=False)
        c.run(f"{python} -m ruff format --check .", pty=False)
        c.run(f"{python} -m mypy", pty=False)
        # Every core, each test file in one worker: a file's module fixtures (its builds) are made once.
        c.run(f"{python} -m pytest -n auto --dist loadfile", pty=False)


@task
def clean(c):
    """Remove build/."""
    import shutil

    shutil.rmtree(ROOT / "build", ignore_errors=True)
    shutil.rmtree(ROOT / ".build-tmp", ignore_errors=True)
