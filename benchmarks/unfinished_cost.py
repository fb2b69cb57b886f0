"""What the unfinished-text checks cost, and whom they refuse (a script, not a timed test).

    python benchmarks/unfinished_cost.py [--repeat 20]

Runs publishing/unfinished.py in this process over every article and translation in sources/ and
tests/fixtures/ (the sample, the rich fixture, the pasted fixtures and the Spanish test translation,
read as it is: a Spanish edition), and prints for each file whether it is refused (each is finished
text, so every refusal is a false one), then the model's load time and the milliseconds per article
of each check, best of --repeat.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from publishing.article import edition_of  # noqa: E402
from publishing.errors import PublishingError  # noqa: E402
from publishing.frontmatter import read_source  # noqa: E402
from publishing.unfinished import _model, example_text, untranslated  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    started = time.perf_counter()
    _model()
    print(f"model loaded in {1000 * (time.perf_counter() - started):.0f} ms (once per process)")
    paths = sorted([*ROOT.glob("sources/*.md"), *ROOT.glob("tests/fixtures/**/*.md")])
    sources, refused = [], 0
    for path in paths:
        try:
            source = read_source(path)
        except PublishingError as error:  # a fixture of a broken file (TOML front matter): not an article
            print(f"  (not read: {error})")
            continue
        lang = source.metadata.get("lang")
        edition = edition_of(path, lang if isinstance(lang, str) else None)
        sources.append((source, edition[1] if edition else ""))
        problems = example_text(source) + (untranslated(source, edition[1], ["en", edition[1]]) if edition else [])
        refused += bool(problems)
        shown = path.relative_to(ROOT)
        print(f"{'REFUSED' if problems else 'passes '}  {shown}" + "".join(f"\n    {p}" for p in problems))
    print(f"{refused} of {len(sources)} finished articles and translations refused")
    english = [source for source, edition in sources if not edition]
    caught = sum(bool(untranslated(source, "es", ["en", "es"])) for source in english)
    print(f"{caught} of {len(english)} English articles, read as if they were Spanish translations, refused")
    translations = [(source, edition) for source, edition in sources if edition]
    for name, check, subjects in (
        ("example text (every article)", lambda s, e: example_text(s), sources),
        (
            "language (every block of every file, read as Spanish)",
            lambda s, e: untranslated(s, "es", ["en", "es"]),
            sources,
        ),
        ("language (the translations)", lambda s, e: untranslated(s, e, ["en", e]), translations),
    ):
        best = min(_timed(check, subjects) for _ in range(repeat))
        print(f"{name}: {1000 * best / len(subjects):.2f} ms per article over {len(subjects)}")


def _timed(check, subjects) -> float:
    started = time.perf_counter()
    for source, edition in subjects:
        check(source, edition)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
