"""The print-shop handout survives a PDF/X-4 colour preflight: no DeviceRGB anywhere in the file (page
content, Form XObjects at any depth, annotations, patterns, shadings, pictures), crop marks in the
registration colour, pictures in CMYK, text in 100 % K; and the build's own preflight refuses RGB
that a person brings in, naming the object.

The colour is read back with pikepdf by a walk of the tests' own (extract.colour_census), not by the code
under test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest

from conftest import FIXTURES, ROOT, SAMPLE, copy_project, invoke
from extract import colour_census

RICH = "how-we-support-you"
WEB_ADDRESS = "https://www.example.org/"


def _project(folder: Path) -> Path:
    """The project with the rich fixture, its picture upscaled to print at 300 ppi, and a web address."""
    from PIL import Image

    project = copy_project(folder)
    shutil.copy(FIXTURES / f"rich/{RICH}.md", project / "sources")
    shutil.copytree(FIXTURES / "rich/images", project / "sources/images")
    picture = project / "sources/images/connections.png"
    with Image.open(picture) as original:  # it prints 5.6 in wide: 1700 px is 300 ppi and a little more
        original.convert("RGB").resize((1700, 850), Image.Resampling.LANCZOS).save(picture)
    settings = project / "pyproject.toml"
    settings.write_text(settings.read_text().replace('web_address = ""', f'web_address = "{WEB_ADDRESS}"', 1))
    return project


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> Path:
    project = _project(tmp_path_factory.mktemp("press"))
    result = invoke("handout", "--variant", "print-shop", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    return project


def _file(project: Path, name: str) -> Path:
    return project / f"build/handouts/{name}.print-shop.pdf"


# --- what the press receives ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [SAMPLE, RICH])
def test_the_print_shop_file_has_no_rgb_anywhere(press, name):
    census = colour_census(_file(press, name))
    print(name, census)
    assert census["rgb operators"] == 0 and census["rgb images"] == 0, census
    assert census["92% K"] == 0, "body text must print in 100 % K, not a screened tint"
    assert census["registration"] >= 8, "WeasyPrint's eight crop marks per page, in /All"
    if name == RICH:
        assert census["cmyk images"] == 1


def test_the_picture_is_converted_through_the_output_intents_profile(press):
    """The picture's pixels are the output intent's CMYK of its sRGB pixels (LittleCMS, relative
    colorimetric with black-point compensation), and the QR code is in the file, in 100 % K."""
    import io

    from PIL import Image, ImageCms

    with pikepdf.open(_file(press, RICH)) as pdf:
        [profile] = [bytes(i.DestOutputProfile.read_bytes()) for i in pdf.Root.OutputIntents]
        images = {
            x.objgen: x
            for page in pdf.pages
            for _, x in page.obj.Resources.XObject.items()
            if x.Subtype == "/Image" and int(x.Width) == 1700
        }
        [image] = images.values()
        converted = pikepdf.PdfImage(image).as_pil_image()
        page_one = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(pdf.pages[0].obj))
    assert converted.mode == "CMYK" and converted.size == (1700, 850)
    with Image.open(press / "sources/images/connections.png") as original:
        expected = ImageCms.profileToProfile(
            original.convert("RGB"),
            ImageCms.createProfile("sRGB"),
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="CMYK",
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
    assert expected is not None
    assert converted.getpixel((10, 10)) == expected.getpixel((10, 10))
    assert b"0 0 0 1 SCN" in page_one  # the QR code's modules, drawn on page 1


def test_every_print_shop_file_carries_the_output_intents_profile_byte_for_byte(press):
    """The profile is compressed once per build process and given to every print-shop file: each
    file's output intent decodes (pikepdf) to the shipped ISO Coated v2 profile, whole."""
    shipped = (press / "layouts/handout/color/ISOcoated_v2_300_bas.icc").read_bytes()
    for name in (SAMPLE, RICH):
        with pikepdf.open(_file(press, name)) as pdf:
            [intent] = pdf.Root.OutputIntents
            assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
            assert bytes(intent.DestOutputProfile.read_bytes()) == shipped, name


def test_a_profile_compressed_once_is_the_stream_weasyprint_would_have_written():
    """Only an ICC profile's stream is given the process's compressed bytes, and they are the bytes
    pydyf itself writes: the cache changes no file."""
    import pydyf

    from publishing.products.handout.press_colour import profiles_compressed_once

    profile = (ROOT / "layouts/handout/color/ISOcoated_v2_300_bas.icc").read_bytes()
    written = []
    for _ in range(2):
        pdf = pydyf.PDF()
        icc = pydyf.Stream([profile], pydyf.Dictionary({"N": 4}), compress=True)
        page = pydyf.Stream([b"BT /F1 12 Tf (acsp) Tj ET"], compress=True)
        pdf.add_object(icc)
        pdf.add_object(page)
        expected = icc.data, page.data
        profiles_compressed_once(pdf)
        assert (icc.data, page.data) == expected
        assert icc.compress is False and page.compress is True
        written.append(icc.stream[0])
    assert written[0] is written[1]  # the second file reuses the first one's bytes


def test_the_crop_marks_still_sit_at_the_trim_in_the_slug(press):
    """Rendered, the registration marks show as dark strokes in the slug outside the bleed (pdftoppm)."""
    import subprocess

    from PIL import Image

    out = press / "page"
    pdf = str(_file(press, SAMPLE))
    subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", pdf, str(out)], check=True)
    [png] = press.glob("page*.png")
    with Image.open(png) as picture:
        gray = picture.convert("L")
        # the slug: 3/8 in of sheet around the paper, 22 px at 60 dpi; the marks run in its outer half
        corner = [gray.getpixel((x, y)) for x in range(0, 11) for y in range(0, 30)]
    assert min(corner) < 80, "no crop mark in the top-left slug"


# --- RGB a person brings in is refused, naming the object ----------------------------------------


def _refused(project: Path, *wanted: str) -> None:
    result = invoke("handout", "--variant", "print-shop", cwd=project)
    assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
    assert "print shop: PDF/X-4 preflight refused" in result.stderr, result.stderr
    for words in wanted:
        assert words in result.stderr, result.stderr
    assert not _file(project, SAMPLE).exists()  # nothing reached build/


def test_an_rgb_colour_in_the_print_shop_stylesheet_fails_the_build(project_copy):
    sheet = project_copy / "layouts/handout/print-shop.css"
    cmyk, rgb = "--accent: device-cmyk(0.85 0.38 0.32 0.42);", "--accent: rgb(20% 30% 40%);"
    sheet.write_text(sheet.read_text().replace(cmyk, rgb))
    _refused(project_copy, "page 1: DeviceRGB colour `0.2 0.3 0.4 rg`", "page 3: DeviceRGB colour `0.2 0.3 0.4 rg`")


def test_an_rgb_qr_code_picture_in_the_article_fails_the_build(project_copy):
    """Staff paste a QR code made elsewhere (black sRGB on white) into the article."""
    import segno

    (project_copy / "sources/images").mkdir()
    segno.make(WEB_ADDRESS, error="m").save(project_copy / "sources/images/qr.svg", dark="#000", light="#fff")
    source = project_copy / f"sources/{SAMPLE}.md"
    source.write_text(source.read_text() + "\n![Scan to read online](images/qr.svg)\n")
    _refused(
        project_copy,
        "page 4, figure 'Scan to read online': DeviceRGB colour `1 1 1 rg`",
        "page 4, figure 'Scan to read online': DeviceRGB colour `0 0 0 RG`",
    )


def _injected(press: Path, tmp_path: Path, edit) -> list[str]:
    """A copy of the passing rich handout, edited with pikepdf the way another tool would, preflighted
    by the build's own check (the one the print-shop product's verify runs)."""
    from publishing.errors import PublishingError
    from publishing.products.handout.preflight import require_press_ready

    copy = tmp_path / "edited.print-shop.pdf"
    with pikepdf.open(_file(press, RICH)) as pdf:
        edit(pdf)
        pdf.save(copy)
    with pytest.raises(PublishingError) as refused:
        require_press_ready(copy, copy)
    return str(refused.value)


def _add_form(pdf, page: int, name: str, content: bytes, resources=None) -> None:
    form = pikepdf.Stream(pdf, content)
    form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 36, 36]
    form.Resources = resources or pikepdf.Dictionary()
    # WeasyPrint's pages share one resource dictionary: this page gets its own
    own = pikepdf.Dictionary(dict(pdf.pages[page].obj.Resources.items()))
    own.XObject = pikepdf.Dictionary({**dict(own.XObject.items()), name: form})
    pdf.pages[page].obj.Resources = own
    pdf.pages[page].contents_add(pikepdf.Stream(pdf, f"q {name} Do Q".encode()), prepend=False)


def test_an_rgb_crop_mark_in_a_form_xobject_is_refused_naming_it(press, tmp_path):
    def edit(pdf):
        _add_form(pdf, 1, "/Fm3", b"0.2 0.3 0.4 RG 1 w 0 18 m 18 18 l S")

    assert "page 2, Form XObject /Fm3: DeviceRGB colour `0.2 0.3 0.4 RG`" in _injected(press, tmp_path, edit)


def test_weasyprints_own_crop_marks_redrawn_in_rgb_are_refused_naming_them(press, tmp_path):
    """The marks as another tool would leave them (WeasyPrint's own black sRGB): the form that draws them
    in the registration colour, its /All strokes turned to DeviceRGB black."""
    names: list[str] = []

    def edit(pdf):
        forms = [(name, x) for name, x in pdf.pages[0].obj.Resources.XObject.items() if x.Subtype == "/Form"]
        for name, form in forms:
            content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(form))
            if b"/All CS" in content:
                form.write(content.replace(b"/All CS\n1 SCN", b"0 0 0 RG"))
                names.append(str(name))

    refused = _injected(press, tmp_path, edit)
    assert names, "no crop marks in the registration colour to redraw"
    import re

    named = re.search(r"page 1, Form XObject (/\w+): DeviceRGB colour `0 0 0 RG`", refused)
    assert named and named[1] in names, refused


def test_a_nested_rgb_form_and_an_rgb_image_are_refused_naming_them(press, tmp_path):
    def edit(pdf):
        image = pikepdf.Stream(pdf, b"\x80" * (40 * 20 * 3))
        image.Type, image.Subtype, image.Width, image.Height = pikepdf.Name.XObject, pikepdf.Name.Image, 40, 20
        image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
        inner = pikepdf.Stream(pdf, b"/DeviceRGB cs 1 0 0 sc 0 0 9 9 re f /Im9 Do")
        inner.Type, inner.Subtype, inner.BBox = pikepdf.Name.XObject, pikepdf.Name.Form, [0, 0, 36, 36]
        inner.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im9=image))
        _add_form(pdf, 1, "/Fm4", b"/Fm5 Do", pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm5=inner)))

    refused = _injected(press, tmp_path, edit)
    assert "page 2, Form XObject /Fm4, Form XObject /Fm5: DeviceRGB colour space `/DeviceRGB cs`" in refused
    assert "page 2, Form XObject /Fm4, Form XObject /Fm5, image /Im9: a DeviceRGB picture (40 × 20 pixels)" in refused


def test_a_qr_code_recoloured_in_rgb_is_refused_naming_the_page(press, tmp_path):
    def edit(pdf):
        page = pdf.pages[0]
        content = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(page.obj))
        assert b"0 0 0 1 SCN" in content
        page.obj.Contents = pikepdf.Stream(pdf, content.replace(b"0 0 0 1 SCN", b"0 0 0 RG", 1))

    assert "page 1: DeviceRGB colour `0 0 0 RG`" in _injected(press, tmp_path, edit)


def test_what_the_preflight_cannot_judge_is_refused_with_why(press, tmp_path):
    def edit(pdf):
        lab = pikepdf.Array([pikepdf.Name.Lab, pikepdf.Dictionary(WhitePoint=[0.9642, 1, 0.8249])])
        spaces = pikepdf.Dictionary(CS9=lab)
        _add_form(pdf, 2, "/Fm6", b"BX 1 2 zz EX /CS9 cs 50 0 0 sc", pikepdf.Dictionary(ColorSpace=spaces))

    refused = _injected(press, tmp_path, edit)
    assert "page 3, Form XObject /Fm6: an operator the preflight cannot judge: `BX`" in refused
    assert "page 3, Form XObject /Fm6: an operator the preflight cannot judge: `1 2 zz`" in refused
    assert "page 3, Form XObject /Fm6, colour space /CS9: Lab colour space" in refused
