"""Split a source into YAML front matter and Markdown body, keeping line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .characters import INVISIBLE, hides_controls
from .errors import PublishingError


@dataclass(frozen=True)
class Source:
    """A source file's text, decoded and split; lines count from 1 in the original file."""

    path: Path
    metadata: dict
    key_lines: dict[str, int]
    body: str
    body_line: int


def read_source(path: Path) -> Source:
    """Read ``path`` as UTF-8 and split off its front matter; any mistake is a PublishingError."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PublishingError(
            path,
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x})",
            line=line,
            hint="save it as UTF-8 in your editor",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise PublishingError(
            path,
            "the file contains a NUL character",
            line=line,
            hint="remove it; it usually comes from pasting binary data",
        )
    control = INVISIBLE.search(text)
    if control:
        line = text[: control.start()].count("\n") + 1
        raise PublishingError(
            path,
            f"the file contains the invisible control character U+{ord(control.group()):04X}, "
            "which XHTML, PDF text and email cannot carry",
            line=line,
            hint="delete it (it usually comes from pasting from a word processor)",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[0].strip() == "+++":
        raise PublishingError(
            path,
            "the front matter is TOML (between '+++' lines, as Hugo writes it)",
            line=1,
            hint="write it as YAML between '---' lines, e.g. 'title: Sleep and Mood' for 'title = \"Sleep and Mood\"'",
        )
    if not lines or lines[0].strip() != "---":
        raise PublishingError(
            path,
            "the file does not start with front matter",
            line=1,
            hint="begin it with a line '---', the metadata (title, description, author), and another '---'",
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise PublishingError(
            path, "the front matter is never closed", line=1, hint="add a line '---' after the metadata"
        ) from None

    yaml_text = "\n".join(lines[1:end])
    metadata, key_lines = _parse_yaml(path, yaml_text)
    body = "\n".join(lines[end + 1 :])
    return Source(path=path, metadata=metadata, key_lines=key_lines, body=body, body_line=end + 2)


def _parse_yaml(path: Path, yaml_text: str) -> tuple[dict, dict[str, int]]:
    import yaml

    # Front matter starts on line 2 of the file.
    loader = yaml.SafeLoader(yaml_text)
    try:
        # Parsed once: the node tree gives each key's line, and the data is built from it.
        node = loader.get_single_node()
        if node is not None:
            _refuse_alias_bomb(path, node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else None
        problem = error.problem or str(error)
        if isinstance(error, yaml.constructor.ConstructorError):
            problem = f"YAML tag not allowed in front matter ({problem.strip()})"
        raise PublishingError(
            path,
            f"front matter is not valid YAML: {problem}",
            line=line,
            hint="check the indentation and quote values that contain ':' or '#'",
        ) from None
    except (yaml.YAMLError, ValueError) as error:
        raise PublishingError(
            path,
            f"front matter is not valid YAML: {error}",
            line=2,
            hint="write dates as YYYY-MM-DD and quote other odd values",
        ) from None
    finally:
        loader.dispose()
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise PublishingError(
            path, "front matter must be 'key: value' lines", line=2, hint="for example 'title: Sleep and Mood'"
        )
    key_lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    for key, value in data.items():
        # YAML escapes such as "\e" make control characters the file itself does not show.
        if any(INVISIBLE.search(text) for text in _strings(value)):
            raise PublishingError(
                path,
                f"'{key}' contains an invisible control character",
                line=key_lines.get(str(key)),
                hint="retype the value without escape sequences",
            )
        hidden = next((found for text in _strings(value) if (found := hides_controls(text))), None)
        if hidden:
            # Python's email package writes such a word, decoded, as real header lines (Bcc:, Reply-To:).
            raise PublishingError(
                path,
                f"'{key}' holds an encoded word (=?...?=) that decodes to the control character "
                f"U+{ord(hidden):04X}, which would add lines to the email's headers",
                line=key_lines.get(str(key)),
                hint="write the value as plain text; the pipeline encodes it for email itself",
            )
    return {str(k): v for k, v in data.items()}, key_lines


MAX_EXPANDED_NODES = 10_000  # a front matter with every feature used has about 50


def _refuse_alias_bomb(path: Path, root) -> None:
    """Aliases (``*a``) repeat what an anchor (``&a``) names: nine lines of them, each repeating the one
    before nine times, make a billion values from 448 bytes, and every walk over them hangs. Count the
    values each key would expand to (each node once, by its size) and refuse past MAX_EXPANDED_NODES."""
    import yaml

    sizes: dict[int, int] = {}

    def size(node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = 1  # a node inside itself (a recursive anchor) counts once
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(key) + size(value) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[id(node)] = total
        return total

    pairs = root.value if isinstance(root, yaml.MappingNode) else [(root, root)]
    for key, value in pairs:
        if size(value) > MAX_EXPANDED_NODES:
            raise PublishingError(
                path,
                f"'{key.value if isinstance(key, yaml.ScalarNode) else key.tag}' repeats YAML anchors (&name, "
                f"*name) into more than {MAX_EXPANDED_NODES:,} values",
                line=key.start_mark.line + 2,
                hint="write the values out; front matter needs no anchors or aliases",
            )


def _strings(value, seen: set[int] | None = None):
    """Every string in a value, each container once (an anchor may make one contain itself)."""
    seen = set() if seen is None else seen
    if isinstance(value, str):
        yield value
    elif isinstance(value, (dict, list)) and id(value) not in seen:
        seen.add(id(value))
        items = (*value.keys(), *value.values()) if isinstance(value, dict) else value
        for item in items:
            yield from _strings(item, seen)


def line_of(text: str, needle: str, first_line: int = 1) -> int | None:
    """The line where ``needle`` first occurs in ``text`` (whose first line is ``first_line``), or None."""
    index = text.find(needle)
    return first_line + text.count("\n", 0, index) if index >= 0 else None
