"""Nothing unfinished ships. The example text `invoke new` writes, left in an article, is refused at its
line; a translation whose text is not in its language (the copy `invoke translate` makes, or one
paragraph a translator missed) is refused at the first such paragraph, naming the language it reads
as. Names, numbers, drug names and short lines are never refused, and finished articles all build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SAMPLE, add_spanish_translation, copy_project, invoke, write_own_words

NEW = "sleep-and-mood"
EXAMPLE = "sources/sleep-and-mood.md:{line}: error: this is the example text that 'invoke new' wrote ({shown}); " + (
    "replace it with the article's own words, or delete it"
)


def _line(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


def _built(project: Path, name: str) -> list[str]:
    return sorted(p.name for p in (project / "build").rglob(f"{name}.*"))


@pytest.fixture
def new_article(tmp_path) -> tuple[Path, Path]:
    """A project copy and the article `invoke new "Sleep and Mood"` made in it, as it made it."""
    project = copy_project(tmp_path)
    created = invoke("new", "Sleep and Mood", cwd=project)
    assert created.returncode == 0, created.stderr
    return project, project / "sources" / f"{NEW}.md"


def test_a_new_article_as_invoke_new_wrote_it_builds_nothing_and_names_each_example_line(new_article):
    project, article = new_article
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    description = EXAMPLE.format(line=3, shown='"One or two sentences that say what this article is about…"')
    opening = _line(article, "Start with a short answer: the one thing a patient should take away.")
    heading = _line(article, "## A section heading")
    assert description in result.stderr
    assert EXAMPLE.format(line=opening, shown='"Start with a short answer: the one thing a patient should…"') in (
        result.stderr
    )
    assert EXAMPLE.format(line=heading, shown='"A section heading"') in result.stderr
    assert "1 of 2 article(s) failed; the others were built." in result.stderr
    assert _built(project, NEW) == [] and _built(project, SAMPLE)  # the other article still built


@pytest.mark.parametrize(
    "left, shown",
    [
        ("Start with a short answer: the one thing a patient should take away.", None),
        ("Its answer as a paragraph.", None),
        ("##   A section  heading", '"A section heading"'),  # retyped, spaced differently: still the example
        ("- A bulleted list", '"A bulleted list"'),
    ],
    ids=["opening paragraph", "answer paragraph", "heading", "list item"],
)
def test_one_example_block_left_among_the_articles_own_words_is_refused_at_its_line(new_article, left, shown):
    project, article = new_article
    write_own_words(article)
    text = article.read_text()
    article.write_text(text.replace("\n## Keeping", f"\n{left}\n\n## Keeping"))
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    shown = shown or '"' + (left if len(left) <= 60 else left[:60].rsplit(" ", 1)[0] + "…") + '"'
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert errors == [EXAMPLE.format(line=_line(article, left), shown=shown)]
    assert _built(project, NEW) == []


def test_an_article_in_its_own_words_builds(new_article):
    """The harmless change: every example replaced (the guidance comment `invoke new` wrote may stay)."""
    project, article = new_article
    comment = article.read_text().split("<!--", 1)[1]
    write_own_words(article)
    article.write_text(article.read_text() + "\n<!--" + comment)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    assert _built(project, NEW) == [f"{NEW}.eml", f"{NEW}.html", f"{NEW}.txt"]


# --- A translation in its language ---------------------------------------------------------------


def test_invoke_translate_then_build_without_translating_is_refused_naming_the_language(tmp_path):
    project = copy_project(tmp_path)
    made = invoke("translate", SAMPLE, "--lang", "es", cwd=project)
    assert made.returncode == 0, made.stderr
    assert "Until its text is in Spanish it builds nothing: the build names the first line still in English." in (
        made.stdout
    )
    translation = project / "sources" / f"{SAMPLE}.es.md"
    description = next(n for n, line in enumerate(translation.read_text().splitlines(), 1) if line.startswith("desc"))
    result = invoke("build", "--only", "handout,newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    [error] = [line for line in result.stderr.splitlines() if f"{SAMPLE}.es.md" in line]
    assert error.startswith(
        f"sources/{SAMPLE}.es.md:{description}: error: this description reads as English, not Spanish; translate it "
        '("Ketamine works for depression differently from traditional…"), and the '
    )
    assert re.search(r"and the \d\d more that read as English \(lines \d+, \d+, \d+, \d+, \d+, …\): ", error)
    assert error.endswith(
        ": a Spanish translation builds nothing until its text is in Spanish (names, numbers and short lines may "
        "stay as they are)"
    )
    assert _built(project, f"{SAMPLE}.es") == []
    assert _built(project, SAMPLE) == [f"{SAMPLE}.{kind}" for kind in ("eml", "html", "pdf", "txt")]


def test_one_english_paragraph_in_the_middle_of_a_spanish_translation_is_refused_at_its_line(tmp_path):
    """A translator who missed one paragraph: it is still the English source's."""
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    english = next(
        line
        for line in (project / "sources" / f"{SAMPLE}.md").read_text().splitlines()
        if line.startswith("Most antidepressants")
    )
    text = translation.read_text()
    spanish = next(line for line in text.splitlines() if line.startswith("La mayoría de los antidepresivos"))
    translation.write_text(text.replace(spanish, english))
    line = _line(translation, english)
    assert 15 < line < len(translation.read_text().splitlines()) - 10  # in the middle
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert (
        f"sources/{SAMPLE}.es.md:{line}: error: this paragraph reads as English, not Spanish; translate it "
        '("Most antidepressants, such as SSRIs, work mainly on…"): a Spanish translation builds nothing until its '
        "text is in Spanish (names, numbers and short lines may stay as they are)"
    ) in result.stderr
    assert _built(project, f"{SAMPLE}.es") == [] and _built(project, SAMPLE)


def test_the_spanish_test_translation_builds(tmp_path):
    project = copy_project(tmp_path)
    add_spanish_translation(project)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    assert _built(project, f"{SAMPLE}.es") == [f"{SAMPLE}.es.{kind}" for kind in ("eml", "html", "txt")]


# Blocks no language can be told from: they stay as they are in any translation.
UNJUDGED = """
## Spravato

Ketamine Uplift

Dr. Geoffery O'Neill, MD

(310) 280-4440

- ketamina
- esketamina (Spravato)
- sertraline, escitalopram, bupropion, lithium, lamotrigine

naloxone, midazolam, ondansetron, clonidine

[988lifeline.org](https://988lifeline.org/)

<https://988lifeline.org/>

`invoke build`

```
invoke build --only handout
```

| Semana | Sesiones |
|--------|----------|
| 1      | 3        |
"""


def test_names_numbers_drug_names_and_short_lines_in_a_translation_pass(tmp_path):
    project = copy_project(tmp_path)
    translation = add_spanish_translation(project)
    translation.write_text(translation.read_text() + UNJUDGED)
    result = invoke("build", "--only", "newsletter", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project / "build" / "newsletters" / f"{SAMPLE}.es.txt").read_text()
    assert "sertraline, escitalopram, bupropion" in text and "(310) 280-4440" in text
    assert re.search(r"naloxone, midazolam, ondansetron, clonidine", text)
