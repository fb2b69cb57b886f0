"""A picture in sources/images/ is judged by its bytes before any product embeds it: a file that is not a
picture, a damaged one, a decompression bomb, or an SVG that runs code or fetches from elsewhere is an
error at the line of the article that shows it, in every product (the newsletter with image_base_url
set too), and the gate fails it; the other articles still build. A clean SVG, as drawing programs
save them, still builds."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_project, invoke

PNG = (FIXTURES / "rich/images/connections.png").read_bytes()
HEAD = "---\ntitle: {title}\ndescription: A test article.\nauthor: Care Team\n---\n\nAn opening line.\n\n"


def bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A real 30000x30000 black PNG (1 bit per pixel, about 110 KB compressed; 900 megapixels when
    decoded), written by hand: the test does not use the decoder it tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" + b"\0" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def svg(inside: str, extra: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {extra} '
        f'width="200" height="100" viewBox="0 0 200 100">\n{inside}\n</svg>\n'
    )


# An SVG as Inkscape saves it: metadata, its own namespaces, a gradient and a <use> inside the file.
CLEAN_SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#"
     xmlns:dc="http://purl.org/dc/elements/1.1/" width="200" height="100" viewBox="0 0 200 100">
  <sodipodi:namedview id="base" inkscape:zoom="1" />
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format></cc:Work></rdf:RDF></metadata>
  <defs><linearGradient id="fade"><stop offset="0" stop-color="#036"/><stop offset="1" stop-color="#69c"/>
  </linearGradient><rect id="box" width="80" height="40"/></defs>
  <style>.label { font: 14px sans-serif; fill: #000 }</style>
  <use xlink:href="#box" x="10" y="10" style="fill:url(#fade)"/>
  <use href="#box" x="110" y="10" fill="url(#fade)"/>
  <text class="label" x="10" y="80">Two boxes</text>
</svg>
"""

CASES = {  # article name -> (file under images/, its bytes, what the error says about it)
    "html-as-png": ("page.png", b"<!doctype html><p>a web page</p>", "is not a picture"),
    "gzip-as-png": ("packed.png", b"\x1f\x8b\x08\x00" + zlib.compress(b"x" * 100), "is not a picture"),
    "truncated-png": ("half.png", PNG[: len(PNG) // 2], "is damaged and cannot be decoded"),
    "png-bomb": ("bomb.png", bomb(), "is 900 megapixels (at most 40), too large to decode safely"),
    "jpeg-named-png": ("photo.png", None, "is a JPG file named .png"),
    "svg-script": ("script.svg", svg("<script>fetch('http://127.0.0.1:9/x')</script>"), "has a <script> on its line 2"),
    "svg-onload": (
        "onload.svg",
        svg('<rect width="9" height="9"/>', 'onload="alert(1)"'),
        "has an event handler onload=",
    ),
    "svg-remote-image": (
        "remote.svg",
        svg('<image href="http://127.0.0.1:9/tracker.png" width="9" height="9"/>'),
        "refers to 'http://127.0.0.1:9/tracker.png' (<image> on its line 2); an SVG may refer only inside itself",
    ),
    "svg-file-use": (
        "use.svg",
        svg('<use xlink:href="file:///etc/passwd#x"/>'),
        "refers to 'file:///etc/passwd#x' (<use> on its line 2)",
    ),
    "svg-other-file-use": ("other.svg", svg('<use href="shapes.svg#box"/>'), "refers to 'shapes.svg#box'"),
    "svg-fill-url": (
        "fill.svg",
        svg('<rect width="9" height="9" style="fill:url(http://127.0.0.1:9/p.svg#g)"/>'),
        "refers to url(http://127.0.0.1:9/p.svg#g) in style= of <rect> on its line 2; only url(#id) is allowed",
    ),
    "svg-fill-attribute": (
        "fillattr.svg",
        svg('<rect width="9" height="9" fill="url(\'file:///etc/passwd\')"/>'),
        "refers to url(file:///etc/passwd) in fill= of <rect>",
    ),
    "svg-import": (
        "import.svg",
        svg("<style>@import url(http://127.0.0.1:9/x.css);</style>"),
        "has @import, expression() or javascript: in <style> on its line 2",
    ),
    "svg-foreign-object": (
        "foreign.svg",
        svg('<foreignObject width="9" height="9"><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'),
        "has a <foreignObject> on its line 2, which runs code or shows another document",
    ),
    "svg-entities": (
        "entities.svg",
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        + svg("<text>&b;</text>"),
        "declares a DOCTYPE (entities can expand or read files)",
    ),
    "svg-stylesheet-pi": (
        "pi.svg",
        '<?xml version="1.0"?>\n<?xml-stylesheet href="http://127.0.0.1:9/s.css"?>\n' + svg("<rect/>"),
        "carries a processing instruction <?xml-stylesheet ...?>",
    ),
}


@pytest.fixture(scope="module")
def picture_build(tmp_path_factory):
    """One project: an article per bad picture, one with a clean SVG and a photo, image_base_url set (so the
    newsletter hosts its pictures); built once, then checked."""
    from PIL import Image

    project = copy_project(tmp_path_factory.mktemp("pictures"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        re.sub(
            r"(?m)^image_base_url = .*$", 'image_base_url = "https://images.example.org/news"', pyproject.read_text()
        )
    )
    images = project / "sources/images"
    images.mkdir(exist_ok=True)
    lines = {}
    for name, (file, data, _) in CASES.items():
        if data is None:
            Image.new("RGB", (40, 30), "#369").save(images / file, format="JPEG")
        else:
            (images / file).write_bytes(data.encode() if isinstance(data, str) else data)
        # The picture is on line 11 of its article, after a paragraph.
        (project / "sources" / f"{name}.md").write_text(
            HEAD.format(title=name) + f"More text.\n\n![A picture of {name}](images/{file})\n"
        )
        lines[name] = 11
    (images / "clean.svg").write_text(CLEAN_SVG)
    Image.new("RGB", (60, 40), "#963").save(images / "photo.jpg", format="JPEG")
    (project / "sources/pictures-that-work.md").write_text(
        HEAD.format(title="Pictures that work")
        + "![Two boxes with a blue gradient](images/clean.svg)\n\n![A brown square](images/photo.jpg)\n"
    )
    built = invoke("build", cwd=project)
    checked = invoke("check", cwd=project)
    return project, built, checked, lines


def test_each_bad_picture_is_an_error_at_the_line_that_shows_it(picture_build):
    project, built, _, lines = picture_build
    assert built.returncode != 0
    assert "Traceback" not in built.stderr, built.stderr
    for name, (file, _, problem) in CASES.items():
        line = f"sources/{name}.md:{lines[name]}: error: image 'images/{file}' {problem}"
        assert line in built.stderr, (name, built.stderr)
    for name in CASES:  # nothing of theirs reached build/
        assert not list((project / "build").rglob(f"{name}.*")), name


def test_no_product_embeds_a_refused_picture(picture_build):
    project, _, _, _ = picture_build
    shipped = [p for p in (project / "build").rglob("*") if p.is_file()]
    names = {file for file, _, _ in CASES.values()}
    assert not [p for p in shipped if p.name in names or p.name.removesuffix(".png") in names]


def test_the_article_beside_them_builds_every_product_with_its_pictures(picture_build):
    import zipfile

    project, built, _, _ = picture_build
    build = project / "build"
    assert "sources/pictures-that-work.md" not in built.stderr
    for path in ("handouts/pictures-that-work.pdf", "newsletters/pictures-that-work.html"):
        assert (build / path).is_file(), path
    with zipfile.ZipFile(build / "guides/pictures-that-work.epub") as book:
        shipped = book.read("EPUB/images/clean.svg").decode()
    assert shipped == CLEAN_SVG  # a clean SVG ships as the clinic saved it
    assert (build / "newsletters/images/clean.svg.png").is_file()
    html = (build / "newsletters/pictures-that-work.html").read_text()
    assert "https://images.example.org/news/images/photo.jpg" in html


def test_the_gate_fails_every_article_with_a_bad_picture(picture_build):
    project, _, checked, _ = picture_build
    assert checked.returncode != 0 and "Traceback" not in checked.stderr
    rows = json.loads((project / "build/check.json").read_text())["rows"]
    failed = {row["article"] for row in rows if row["status"] == "fail"}
    assert set(CASES) <= failed, set(CASES) - failed
    assert "pictures-that-work" not in failed


def test_an_image_base_url_build_never_reaches_pillow_with_a_bad_file(picture_build):
    """The attack's path: the newsletter hosting pictures. The bomb and the page are refused by name and line."""
    _, built, _, _ = picture_build
    assert "PIL" not in built.stderr and "DecompressionBomb" not in built.stderr


def test_svg_checks_on_their_own():
    from publishing.images import ImageProblem, check_svg

    check_svg(CLEAN_SVG.encode())
    for inside in (
        '<a href="javascript:alert(1)"><rect/></a>',
        '<rect style="background:url( http://x/ )"/>',
        '<set attributeName="href" to="http://x/"/><rect/>',
        '<animate onbegin="alert(1)"/>',
    ):
        with pytest.raises(ImageProblem):
            check_svg(svg(inside).encode())
    big = svg("".join(f'<use href="#a{i}"/>' for i in range(600)))
    with pytest.raises(ImageProblem, match="more than 500 <use> elements"):
        check_svg(big.encode())


def test_a_picture_is_judged_by_its_bytes_not_its_name(tmp_path: Path):
    from publishing.images import ImageProblem, check_image_file

    (tmp_path / "drawing.svg").write_bytes(PNG)
    with pytest.raises(ImageProblem, match="is a PNG file named .svg"):
        check_image_file(tmp_path / "drawing.svg")
    (tmp_path / "fine.png").write_bytes(PNG)
    assert check_image_file(tmp_path / "fine.png") == ".png"
