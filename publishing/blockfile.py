"""Reading one language's required blocks from sources/_required/<lang>/: every mistake in a block's
file reported at its line (a link under 'links', a line under 'lines'), and every 988 service a crisis
card offers checked against what the Lifeline offers in that language (lifeline.py)."""

from __future__ import annotations

import re
from pathlib import Path

from . import lifeline
from .errors import PublishingError, PublishingErrors
from .frontmatter import Source, read_source
from .ids import CRISIS, DISCLAIMER
from .required import APPROVAL_KEYS, BLOCK_KEYS, KINDS, LINK_KEYS, Approval, Line, Link, RequiredBlock, RequiredBlocks

_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]")
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")
_NUMBER = re.compile(r"[0-9]{3,15}")
_BODY = re.compile(r"[0-9A-Za-zÀ-ÿ]{1,20}")

BLOCK_FILES = {
    "crisis": (CRISIS, "crisis information (988 Suicide and Crisis Lifeline)"),
    "disclaimer": (DISCLAIMER, "medical disclaimer"),
}


def load_required_blocks(
    required_dir: Path, *, approval: bool = False, language: str = "en", language_name: str = "English"
) -> RequiredBlocks:
    """Both blocks from their sources; every problem with them reported at once, at its line.

    With ``approval`` (a translation's blocks) each must be approved by the clinic before it is
    printed or sent; ``language`` decides which 988 services a block may offer (lifeline.py)."""
    blocks = {}
    problems: list[PublishingError] = []
    for key, (block_id, name) in BLOCK_FILES.items():
        path = required_dir / f"{key}.md"
        if not path.is_file():
            problems.append(
                PublishingError(
                    path, f"the {name} is missing", hint=f"restore {path.name}: every product must carry it"
                )
            )
            continue
        try:
            source = read_source(path)
        except PublishingError as error:
            problems.append(error)
            continue
        reader = BlockReader(source, name, language, language_name)
        block = reader.block(key, block_id, needs_approval=approval)
        problems += reader.problems
        if block is not None:
            blocks[key] = block
    PublishingErrors.raise_if_any(problems)
    return RequiredBlocks(**blocks)


class BlockReader:
    """Reads one block's source, collecting every mistake with its line."""

    def __init__(self, source: Source, name: str, language: str, language_name: str):
        self.source, self.name = source, name
        self.language, self.language_name = language, language_name
        self.problems: list[PublishingError] = []
        self.item_lines = _item_lines(source.path)

    def fail(self, message: str, hint: str, line: int | None) -> None:
        self.problems.append(PublishingError(self.source.path, message, line=line or 1, hint=hint))

    def block(self, key: str, block_id: str, *, needs_approval: bool) -> RequiredBlock | None:
        from . import markup

        meta, key_lines = self.source.metadata, self.source.key_lines
        for unknown in sorted(set(meta) - set(BLOCK_KEYS)):
            hint = f"a required block has: {', '.join(BLOCK_KEYS)}"
            if unknown == "approved":
                hint = 'approval is recorded by `invoke approve-blocks --lang <lang> --by "Name"`; remove this line'
            self.fail(f"unknown front matter key '{unknown}'", hint, key_lines[unknown])
        title = meta.get("title")
        if not isinstance(title, str) or not title.strip():
            self.fail("the block has no 'title'", "add 'title: ...' to its front matter", key_lines.get("title"))
        if not self.source.body.strip():
            self.fail(
                f"the {self.name} has no text", "write the block's text below the front matter", self.source.body_line
            )
        links = self._links(meta.get("links"))
        lines = self._lines(meta.get("lines"), links)
        approval = self._approval()
        if self.problems:
            return None
        return RequiredBlock(
            key=key,
            id=block_id,
            name=self.name,
            title=" ".join(str(title).split()),
            body_html=markup.to_html(self.source.body).html,
            source=self.source.path,
            lines=lines,
            approval=approval,
            needs_approval=needs_approval,
        )

    def _approval(self) -> Approval | None:
        meta, key_lines = self.source.metadata, self.source.key_lines
        given = [key for key in APPROVAL_KEYS if key in meta]
        if not given:
            return None
        values = {key: meta.get(key) for key in APPROVAL_KEYS}
        for key in ("approved_version", "approved_by"):
            value = values[key]
            if not isinstance(value, str) or not value.strip():
                self.fail(
                    f"the approval record has no '{key}'",
                    'record an approval with `invoke approve-blocks --lang <lang> --by "Name"`, never by hand',
                    key_lines.get(given[0]),
                )
                return None
        on = values["approved_on"]
        return Approval(
            str(values["approved_version"]).strip(),
            str(values["approved_by"]).strip(),
            str(on) if on else "",
            key_lines.get("approved_version", 1),
        )

    def _links(self, given) -> dict[str, Link]:
        if given is None:
            return {}
        line = self.source.key_lines.get("links")
        if not isinstance(given, dict):
            self.fail(
                "'links' must list each link's words with what it does",
                'for example: links: {"Call 988": {call: "988"}}',
                line,
            )
            return {}
        links = {}
        for words, spec in given.items():
            link = self._link(str(words), spec, self.item_lines.get(("links", str(words)), line))
            if link is not None:
                links[link.words] = link
        return links

    def _link(self, words: str, spec, line: int | None) -> Link | None:
        kinds = [kind for kind in KINDS if isinstance(spec, dict) and kind in spec]
        if not isinstance(spec, dict) or len(kinds) != 1:
            self.fail(
                f"the link '{words}' must say what it does with one of: {', '.join(KINDS)}",
                'for example: "Call 988": {call: "988"}',
                line,
            )
            return None
        for unknown in sorted(set(map(str, spec)) - set(LINK_KEYS)):
            self.fail(f"unknown key '{unknown}' in the link '{words}'", f"a link has: {', '.join(LINK_KEYS)}", line)
        kind, target, says = kinds[0], str(spec[kinds[0]]).strip(), spec.get("says", "")
        if not isinstance(says, str):
            self.fail(f"'says' of the link '{words}' must be text", "put it in quotes", line)
            return None
        refused = lifeline.refusal(kind, self.language, self.language_name) if kind in ("text", "chat") else None
        if refused:
            self.fail(refused, "offer a call to 988 with an interpreter instead", line)
            return None
        href = self._href(kind, target, spec.get("body"), words, line)
        return Link(" ".join(words.split()), kind, href, " ".join(says.split()), line or 0) if href else None

    def _href(self, kind: str, target: str, body, words: str, line: int | None) -> str | None:
        if kind == "chat":
            if not lifeline.is_chat_address(target):
                self.fail(
                    f"the chat link '{words}' must go to the 988 Lifeline's site over https, not '{target}'",
                    f"for example https://{lifeline.CHAT_HOSTS[0]}/ ({lifeline.WHERE} lists its addresses)",
                    line,
                )
                return None
            shown = target.split("://", 1)[1].rstrip("/").removeprefix("www.")
            if shown.casefold() not in words.casefold():
                self.fail(
                    f"the chat link's words '{words}' do not show its address {shown}",
                    "a printed copy cannot be clicked: write the address in the words",
                    line,
                )
                return None
            return target
        if not _NUMBER.fullmatch(target):
            self.fail(f"the number of the link '{words}' must be digits, not '{target}'", 'for example "988"', line)
            return None
        if kind == "text" and target != lifeline.NUMBER:
            self.fail(
                f"the text link '{words}' goes to {target}: the 988 table knows only texts to 988",
                f"text {lifeline.NUMBER}, or make it a call",
                line,
            )
            return None
        if target not in words:
            self.fail(
                f"the link '{words}' does not show its number {target}",
                "a printed copy cannot be tapped: write the number in the words",
                line,
            )
            return None
        if body is not None and kind != "text":
            self.fail(f"only a text link has a 'body', not the {kind} link '{words}'", "remove 'body'", line)
            return None
        if body is not None and not _BODY.fullmatch(str(body)):
            self.fail(
                f"the body of the text link '{words}' must be one word, not '{body}'", 'for example "AYUDA"', line
            )
            return None
        if kind == "text":
            # "?&body=" is the form both iOS and Android phones fill in.
            return f"sms:{target}" + (f"?&body={body}" if body is not None else "")
        return f"tel:{target}"

    def _lines(self, given, links: dict[str, Link]) -> tuple[Line, ...]:
        if given is None:
            return ()
        if not isinstance(given, list) or not all(isinstance(item, str) for item in given):
            self.fail(
                "'lines' must be a list of lines, each in quotes",
                "for example, as in sources/_required/crisis.md",
                self.source.key_lines.get("lines"),
            )
            return ()
        lines, used = [], set()
        for index, text in enumerate(given):
            number = self.item_lines.get(("lines", index), self.source.key_lines.get("lines"))
            pieces: list[str | Link] = []
            at = 0
            for match in _BRACKETED.finditer(text):
                words = " ".join(match.group(1).split())
                pieces.append(text[at : match.start()])
                at = match.end()
                if words not in links:
                    self.fail(
                        f"the line names the link '[{words}]', which is not under 'links'",
                        f'add it there, e.g. "{words}": {{call: "988"}}, or fix the words',
                        number,
                    )
                    continue
                pieces.append(links[words])
                used.add(words)
            pieces.append(text[at:])
            if any(isinstance(p, str) and ("[" in p or "]" in p) for p in pieces):
                self.fail("a '[' or ']' without its pair", "put a link's words between [ and ]", number)
            if _MARKUP.search(text):  # printed as typed, never as markup: say so rather than print tags
                self.fail(
                    "a line of the safety text holds markup (an HTML tag): lines are words and [links] only",
                    "remove the tag; every line is printed, and proven visible, in every product",
                    number,
                )
            lines.append(Line(tuple(_spaced(pieces)), number or 0))
        for words, link in links.items():
            if words not in used:
                self.fail(f"the link '{words}' is in no line", f"write [{words}] in one of the 'lines'", link.line)
        return tuple(lines)


def _spaced(pieces: list) -> list:
    """Runs of white space as single spaces, none at the line's ends."""
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            inner = " ".join(piece.split())
            piece = (" " if piece[:1].isspace() else "") + inner + (" " if piece[-1:].isspace() and inner else "")
        out.append(piece)
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return [piece for piece in out if piece != ""]


def _item_lines(path: Path) -> dict[tuple[str, object], int]:
    """The line of each item under 'lines' and each link under 'links' (read_source gives the keys')."""
    import yaml

    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    parts = text.split("\n")
    end = next((i for i in range(1, len(parts)) if parts[i].strip() in ("---", "...")), len(parts))
    try:
        node = yaml.compose("\n".join(parts[1:end]), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}  # read_source has reported it
    found: dict[tuple[str, object], int] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key, value in node.value:
        if key.value == "lines" and isinstance(value, yaml.SequenceNode):
            found.update({("lines", i): item.start_mark.line + 2 for i, item in enumerate(value.value)})
        if key.value == "links" and isinstance(value, yaml.MappingNode):
            found.update({("links", str(k.value)): k.start_mark.line + 2 for k, _ in value.value})
    return found
