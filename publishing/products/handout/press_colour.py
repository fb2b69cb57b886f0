"""Colour for a press: what WeasyPrint would otherwise leave in RGB in the print-shop handout.

- Crop marks: WeasyPrint 70 draws ``marks: crop`` as an SVG in black sRGB; here they are drawn in
  the registration colour (a Separation named /All, which prints on every plate), whose definition
  is added to the resources after rendering (WeasyPrint's shared colour-space dictionary is written
  before the pages are drawn).
- Raster pictures: converted after rendering, in the PDF, from sRGB (or their own ICC profile) to
  CMYK through the output intent's profile (the one the PDF carries), by LittleCMS (Pillow's ImageCms).
- The colour spaces WeasyPrint lists in every resource dictionary whether used or not (Lab): dropped
  where no content stream names them.

Everything else (a stylesheet colour in RGB) is left as it is, for the preflight to refuse.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

REGISTRATION = "All"
# Relative colorimetric with black-point compensation: what Adobe's and most RIPs' conversions use.
RGB_SPACES = {"/DeviceRGB", "/CalRGB"}


def draw_crop_marks_in_registration(weasyprint) -> None:
    """Make WeasyPrint's crop (and cross) marks paint in /All instead of sRGB black.

    WeasyPrint builds the marks as an ``SVGImage`` in ``weasyprint.draw`` (its only use there); the
    subclass set in its place draws the same SVG with every colour set to the registration colour.
    A WeasyPrint that draws its marks otherwise keeps them in RGB, and the preflight refuses them."""
    import weasyprint.draw as draw

    if getattr(draw.SVGImage, "registration", False):
        return
    original = draw.SVGImage

    class RegistrationMarks(original):  # type: ignore[misc, valid-type]
        registration = True

        def draw(self, stream, concrete_width, concrete_height, style):
            def set_color(color, stroke=False):
                stream.set_alpha(color.alpha, stroke)
                stream.set_color_space(REGISTRATION, stroke)
                stream.set_color_special(None, stroke, 1)

            stream.set_color = set_color
            try:
                super().draw(stream, concrete_width, concrete_height, style)
            finally:
                del stream.set_color

    draw.SVGImage = RegistrationMarks


def _registration_space(pdf):
    """[/Separation /All /DeviceCMYK tint]: full tint is 100 % of every process ink."""
    import pikepdf

    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pdf.make_indirect(pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK, tint]))


def qr_svg_in_cmyk(svg: bytes) -> bytes:
    """segno's QR code with its modules in 100 % K and its quiet zone unprinted paper (no RGB)."""
    return svg.replace(b'stroke="#000"', b'fill="none" stroke="device-cmyk(0 0 0 1)"').replace(
        b'fill="#fff"', b'fill="device-cmyk(0 0 0 0)"'
    )


# The output intent's profile, compressed once per process: WeasyPrint deflates it at level 9 for
# every print-shop file, 0.34 s for ISO Coated v2's 1 MB, always to the same bytes.
_COMPRESSED_PROFILES: dict[bytes, bytes] = {}


def profiles_compressed_once(pdf) -> None:
    """In WeasyPrint's PDF before it is written (its finisher): each embedded ICC profile's stream
    given the deflated bytes this process made of the same profile before, identical to WeasyPrint's."""
    import hashlib

    import pydyf

    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Stream) and obj.compress and len(obj.stream) == 1):
            continue
        content = obj.stream[0]
        if not isinstance(content, bytes) or content[36:40] != b"acsp" or "N" not in obj.extra:
            continue  # not an ICC profile (its signature is 'acsp' at byte 36)
        digest = hashlib.sha256(content).digest()
        if digest not in _COMPRESSED_PROFILES:
            _COMPRESSED_PROFILES[digest] = zlib.compress(content, 9)
        obj.stream, obj.compress = [_COMPRESSED_PROFILES[digest]], False
        obj.extra["Filter"] = "/FlateDecode"


def to_press_colour(pdf_path: Path) -> None:
    """Convert the raster pictures of a rendered print-shop PDF to the output intent's CMYK and drop
    the unused colour spaces, in place."""
    import pikepdf

    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        transforms: dict[bytes, Any] = {}
        intent = _output_profile(pdf)
        used = _named_colour_spaces(pdf)
        registration = _registration_space(pdf) if f"/{REGISTRATION}" in used else None
        for resources in _resource_dicts(pdf):
            spaces = resources.get("/ColorSpace")
            if spaces is not None:
                for name in [name for name in spaces.keys() if name not in used and _is_lab(spaces[name])]:
                    del spaces[name]
            if registration is not None:
                if spaces is None:
                    resources.ColorSpace = spaces = pikepdf.Dictionary()
                if f"/{REGISTRATION}" not in spaces:
                    spaces[f"/{REGISTRATION}"] = registration
            for _, xobject in (resources.get("/XObject") or {}).items():
                if xobject.get("/Subtype") == "/Image" and intent is not None:
                    _convert_image(xobject, intent, transforms)
        pdf.save(pdf_path, deterministic_id=True)


def _output_profile(pdf) -> bytes | None:
    for intent in pdf.Root.get("/OutputIntents") or []:
        profile = intent.get("/DestOutputProfile")
        if profile is not None and int(profile.get("/N", 0)) == 4:
            return bytes(profile.read_bytes())
    return None


def _resource_dicts(pdf):
    """Every resource dictionary reachable from the pages (Form XObjects, patterns, appearances); each
    XObject or pattern followed once (a cycle of them ends)."""
    followed: set = set()
    stack = [page.obj.get("/Resources") for page in pdf.pages]
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots") or []:
            for appearance in (annotation.get("/AP") or {}).values():
                stack.append(appearance.get("/Resources") if hasattr(appearance, "get") else None)
    while stack:
        resources = stack.pop()
        if resources is None or not hasattr(resources, "get"):
            continue
        yield resources
        for kind in ("/XObject", "/Pattern"):
            for _, child in (resources.get(kind) or {}).items():
                if child.is_indirect and child.objgen in followed:
                    continue
                followed.add(child.objgen)
                stack.append(child.get("/Resources"))


def _named_colour_spaces(pdf) -> set[str]:
    """The colour-space names any content stream sets with cs or CS."""
    import pikepdf

    names: set[str] = set()
    streams = [page.obj for page in pdf.pages]
    for resources in _resource_dicts(pdf):
        for kind in ("/XObject", "/Pattern"):
            for _, child in (resources.get(kind) or {}).items():
                if isinstance(child, pikepdf.Stream) and child.get("/Subtype") != "/Image":
                    streams.append(child)
    for owner in streams:
        for instruction in pikepdf.parse_content_stream(owner, "cs CS"):
            names.update(str(operand) for operand in getattr(instruction, "operands", ()))
    return names


def _is_lab(space) -> bool:
    import pikepdf

    return isinstance(space, pikepdf.Array) and len(space) > 0 and str(space[0]) == "/Lab"


def _convert_image(image, intent: bytes, transforms: dict) -> None:
    """An 8- or 16-bit RGB (or RGB-based indexed) picture, in place, as 8-bit DeviceCMYK through the
    output intent's profile; anything else is left for the preflight to judge."""
    import pikepdf
    from PIL import ImageCms

    source = _source_profile(image.get("/ColorSpace"))
    picture = _rgb_pixels(image) if source is not None else None
    if picture is None:
        return  # not RGB, or a picture that cannot be decoded here: the preflight names it
    key = source or b"sRGB"
    if key not in transforms:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(source)) if source else ImageCms.createProfile("sRGB")
        transforms[key] = ImageCms.buildTransform(
            profile,
            ImageCms.ImageCmsProfile(io.BytesIO(intent)),
            "RGB",
            "CMYK",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
        )
    cmyk = ImageCms.applyTransform(picture, transforms[key])
    assert cmyk is not None
    image.write(zlib.compress(cmyk.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceCMYK
    image.BitsPerComponent = 8
    for key_name in ("/Decode", "/DecodeParms"):
        if key_name in image:
            del image[key_name]


def _rgb_pixels(image):
    """The picture's pixels as an 8-bit RGB Pillow image, or None."""
    import pikepdf
    from PIL import Image

    bits = int(image.get("/BitsPerComponent", 0))
    try:
        if bits == 16 and not isinstance(image.get("/ColorSpace"), pikepdf.Array | type(None)):
            size = (int(image.Width), int(image.Height))
            return Image.frombytes("RGB", size, bytes(image.read_bytes())[0::2])  # the high byte of each sample
        if bits == 16 and str(image.ColorSpace[0]) == "/ICCBased":
            size = (int(image.Width), int(image.Height))
            return Image.frombytes("RGB", size, bytes(image.read_bytes())[0::2])
        if bits != 8:
            return None
        return pikepdf.PdfImage(image).as_pil_image().convert("RGB")
    except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
        return None


def _source_profile(space) -> bytes | None:
    """b"" for sRGB (untagged RGB), an ICC profile's bytes, or None: not an RGB picture."""
    import pikepdf

    if space is None:
        return None
    if isinstance(space, pikepdf.Name):
        return b"" if str(space) in RGB_SPACES else None
    family = str(space[0]) if len(space) else ""
    if family == "/CalRGB":
        return b""
    if family == "/ICCBased" and int(space[1].get("/N", 0)) == 3:
        return bytes(space[1].read_bytes())
    if family == "/Indexed" and len(space) >= 2:
        return _source_profile(space[1])
    return None
