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
    if variant not in ("office", "large-print", "print-shop"):
        raise Exit(f"error: unknown variant '{variant}'; choose office, large-print or print-shop", code=2)
    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="handout", variant=variant, jobs=jobs,
                    force=force))


@task(help=SOURCE_HELP)
def guide(c, sources=None, out=None):
    """Build only the EPUB patient guides."""
    from publishing import cli
    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="guide"))


@task(help=BUILD_HELP)
def newsletter(c, sources=None, out=None, jobs=0, force=False):
    """Build only the email newsletters (.html and .txt)."""
    from publishing import cli
    _finish(cli.run(cli.build, ROOT, sources=sources, out=out, only="newsletter", jobs=jobs, force=force))


@task(help={**SOURCE_HELP, "strict": "treat warnings (no review date, empty settings) as failures"})
def check(c, sources=None, out=None, strict=False):
    """Verify build/ and the sources before publishing; write build/check.json."""
    from publishing import cli
    _finish(cli.run(cli.check, ROOT, sources=sources, out=out, strict=strict))


@task
def test(c):
    """Run the test suite (the README's test command)."""
    c.run("python -m pytest", pty=False)


@task
def clean(c):
    """Remove build/."""
    import shutil
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    shutil.rmtree(ROOT / ".build-tmp", ignore_errors=True)
