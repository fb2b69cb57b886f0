"""Site settings from ``[tool.publishing]`` in pyproject.toml, checked like a schema.

Every mistake is reported in one run and unknown keys are errors, so a typo in a
setting cannot vanish silently (the approach of MkDocs' config schema).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import PublishingError, PublishingErrors
from .languages import primary_language
from .settings_checks import check_numbers, check_patterns, check_text
from .settings_checks import key_line as _key_line

PAPER_SIZES = {"letter": "Letter", "a4": "A4"}


@dataclass(frozen=True)
class NewsletterProfile:
    """The email service's merge tags (or plain values) for the legally required footer."""

    name: str
    unsubscribe_url: str = ""
    postal_address: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    """Where `invoke send` hands a newsletter over. SMTP_HOST, SMTP_PORT, SMTP_STARTTLS and SMTP_USER
    override these; the password is never a setting, only SMTP_PASSWORD (see publishing/send.py)."""

    host: str = ""
    port: int = 587
    starttls: bool = True
    user: str = ""
    dkim_selector: str = ""  # with dkim_key_file: `invoke send` signs the message (DKIM)
    dkim_key_file: str = ""  # a PEM private key, relative to the project; never the key itself


@dataclass(frozen=True)
class AccessibilityReview:
    """A manual accessibility review of the guides, as the clinic records it. Only with one does a guide
    claim conformance (EPUB Accessibility 1.1, WCAG): EPUBCheck and Ace are automated checks, and WCAG
    conformance needs a person's evaluation."""

    conforms_to: str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
    reviewer: str = ""  # who evaluated: a11y:certifiedBy
    credential: str = ""  # a11y:certifierCredential
    report: str = ""  # an https address of the report: a11y:certifierReport
    date: str = ""  # YYYY-MM-DD

    @property
    def recorded(self) -> bool:
        return bool(self.reviewer and self.credential and self.report and self.date)


@dataclass(frozen=True)
class Settings:
    clinic_name: str
    clinic_phone: str
    clinic_location: str = ""
    clinic_about: str = ""
    # The clinic's own words about itself in another language, by primary subtag; a language without
    # them shows no "about" paragraph (never the English one in a Spanish handout)
    clinic_about_translations: tuple[tuple[str, str], ...] = ()
    default_author: str = ""
    default_lang: str = "en-US"
    web_address: str = ""
    article_url: str = ""  # e.g. https://www.example.org/guides/{slug}/ ; empty: the web edition's page
    # Where a translation is read online, e.g. https://www.example.org/{lang}/guides/{slug}/ ; empty: its
    # page in the web edition (never the English page: a Spanish reader would land in English)
    translation_url: str = ""
    postal_address: str = ""
    sender_address: str = ""
    image_base_url: str = ""
    booking_url: str = ""  # where patients book online; empty: the newsletter offers the phone only
    paper_size: str = "letter"
    review_policy_months: int = 12
    reading_grade_target: float = 8  # English: Flesch-Kincaid grade, at most
    # Other languages, by primary subtag, in their own formula (readability.py): Spanish INFLESZ, at least
    reading_targets: tuple[tuple[str, float], ...] = (("es", 55.0),)
    newsletter: NewsletterProfile = field(default_factory=lambda: NewsletterProfile("mailchimp"))
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    accessibility_review: AccessibilityReview = field(default_factory=AccessibilityReview)
    path: Path | None = None

    @property
    def phone_uri(self) -> str:
        """The clinic phone as a ``tel:`` URI (digits only, US country code)."""
        digits = re.sub(r"\D", "", self.clinic_phone)
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}"

    def article_web_address(self, slug: str, edition: str = "") -> str:
        """Where an article is read online: its own page, else the clinic's web address.

        Never a guessed URL: without a pattern from the clinic, links go to its home page."""
        return self.online_address(slug, edition) or self.web_address

    def online_address(self, slug: str, edition: str = "") -> str:
        """The article's own page online, from the clinic's patterns (for a translation:
        ``translation_url``); without one, its page in the web edition at the clinic's web address
        (``<web_address>/<slug>/``, ``<web_address>/<lang>/<slug>/``: build/site/ published there);
        empty when the clinic has given neither."""
        if edition and self.translation_url:
            return self.translation_url.format(slug=slug, lang=edition)
        if not edition and self.article_url:
            return self.article_url.format(slug=slug)
        if self.web_address:
            return f"{self.web_address.rstrip('/')}/{edition + '/' if edition else ''}{slug}/"
        return ""

    def clinic_about_in(self, language: str) -> str:
        """The clinic's paragraph about itself in ``language`` ("en", "es"): the clinic's own words or none."""
        if language == primary_language(self.default_lang):
            return self.clinic_about
        return dict(self.clinic_about_translations).get(language, "")

    def reading_target(self, lang: str) -> float | None:
        """The reading target for an article in ``lang``, in that language's formula (None: not measured)."""
        language = primary_language(lang)
        if language == "en":
            return self.reading_grade_target
        return dict(self.reading_targets).get(language)

    @property
    def page_size(self) -> str:
        return PAPER_SIZES[self.paper_size]

    def fingerprint(self) -> str:
        """A stable text of every setting, for deciding what needs rebuilding."""
        return repr(
            tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("path", "smtp"))
        )  # where mail is sent changes no product

    def fingerprint_parts(self) -> dict[str, str]:
        """Each setting's stable text by its name, so a changed one can be named."""
        return {f.name: repr(getattr(self, f.name)) for f in fields(self) if f.name not in ("path", "smtp")}


_TABLES = ("newsletter", "smtp", "accessibility_review", "reading_targets", "clinic_about_translations")
_SCALARS = {f.name: f for f in fields(Settings) if f.name not in (*_TABLES, "path")}
_REQUIRED = ("clinic_name", "clinic_phone")
_KINDS = {"str": "text in quotes", "int": "a whole number", "float": "a number", "bool": "true or false"}


def load_settings(pyproject: Path) -> Settings:
    """Read and validate ``[tool.publishing]``; report every problem at once, each with its line."""
    text = pyproject.read_text(encoding="utf-8")
    problems: list[tuple[int | None, str]] = []
    table, values = _scalars(_publishing_table(pyproject, text), text, problems)
    check_patterns(values, text, problems)
    check_numbers(values, text, problems)
    check_text(table, text, problems)
    _check_addresses(values, text, problems)
    newsletter = _newsletter_profile(table.get("newsletter", {}), text, problems)
    smtp = _smtp_settings(table.get("smtp", {}), text, problems)
    review = _accessibility_review(table.get("accessibility_review", {}), text, problems)
    targets = _reading_targets(table.get("reading_targets", {}), text, problems)
    abouts = _clinic_about_translations(table.get("clinic_about_translations", {}), text, problems)
    PublishingErrors.raise_if_any(
        [
            PublishingError(pyproject, message, line=line, hint="fix [tool.publishing] in pyproject.toml")
            for line, message in problems
        ]
    )
    return Settings(
        **values,
        newsletter=newsletter,
        smtp=smtp,
        accessibility_review=review,
        reading_targets=targets,
        clinic_about_translations=abouts,
        path=pyproject,
    )


def _publishing_table(pyproject: Path, text: str) -> dict:
    """``[tool.publishing]``, from TOML that parses."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise PublishingError(
            pyproject, f"not valid TOML: {error}", line=int(line.group(1)) if line else None
        ) from None
    table = data.get("tool", {}).get("publishing")
    if table is None:
        raise PublishingError(
            pyproject, "no [tool.publishing] table", hint="add the clinic's settings (see README.md, 'Settings')"
        )
    if not isinstance(table, dict):
        raise PublishingError(pyproject, "[tool.publishing] must be a table", line=_key_line(text, "publishing"))
    return table


def _scalars(table: dict, text: str, problems: list) -> tuple[dict, dict[str, Any]]:
    """The table without its malformed sub-tables, and its plain settings, each of the type it must be;
    the required ones given, and a paper size the handout knows."""
    values: dict[str, Any] = {}
    for key in _TABLES:
        if key in table and not isinstance(table[key], dict):
            problems.append(
                (_key_line(text, key), f"setting '{key}' must be a table ([tool.publishing.{key}]), not {table[key]!r}")
            )
            table = {k: v for k, v in table.items() if k != key}
    for key, value in table.items():
        if key in _TABLES:
            continue
        spec = _SCALARS.get(key)
        if spec is None:
            problems.append((_key_line(text, key), f"unknown setting '{key}' in [tool.publishing]"))
            continue
        kind = str(spec.type)  # the annotation's text: "str", "int" or "float"
        expected: Any = {"str": str, "int": int, "float": (int, float)}[kind]
        if not isinstance(value, expected) or isinstance(value, bool):
            problems.append((_key_line(text, key), f"setting '{key}' must be {_KINDS[kind]}, not {value!r}"))
            continue
        values[key] = value.strip() if isinstance(value, str) else value
    for key in _REQUIRED:
        if not values.get(key):
            problems.append((None, f"setting '{key}' is required in [tool.publishing]"))
    if values.get("paper_size", "letter") not in PAPER_SIZES:
        problems.append((_key_line(text, "paper_size"), f"paper_size must be one of {', '.join(PAPER_SIZES)}"))
    return table, values


def _check_addresses(values: dict[str, Any], text: str, problems: list) -> None:
    """The web addresses: https://, and the patterns with the {slug} (and {lang}) they fill in."""
    if values.get("translation_url") and "{slug}" not in str(values["translation_url"]):
        problems.append(
            (
                _key_line(text, "translation_url"),
                "translation_url must contain {slug} (and {lang}), e.g. https://www.example.org/{lang}/guides/{slug}/",
            )
        )
    if values.get("article_url") and "{slug}" not in str(values["article_url"]):
        problems.append(
            (
                _key_line(text, "article_url"),
                "article_url must contain {slug}, e.g. https://www.example.org/guides/{slug}/",
            )
        )
    for key in ("web_address", "article_url", "translation_url", "image_base_url", "booking_url"):
        if values.get(key) and not str(values[key]).startswith("https://"):
            problems.append((_key_line(text, key), f"setting '{key}' must be an https:// address"))


def _clinic_about_translations(table: dict, text: str, problems: list) -> tuple[tuple[str, str], ...]:
    """[tool.publishing.clinic_about_translations]: es = "..." (the clinic's words, in that language)."""
    abouts = []
    for key, value in table.items():
        if not re.fullmatch(r"[a-z]{2,3}", key):
            problems.append(
                (_key_line(text, key), f"'{key}' in [tool.publishing.clinic_about_translations] is not a language (es)")
            )
        elif not isinstance(value, str) or not value.strip():
            problems.append((_key_line(text, key), f"clinic_about_translations '{key}' must be text in quotes"))
        else:
            abouts.append((key, " ".join(value.split())))
    return tuple(sorted(abouts))


def _reading_targets(table: dict, text: str, problems: list) -> tuple[tuple[str, float], ...]:
    """[tool.publishing.reading_targets]: per language (es = 55), the score its formula must reach."""
    from .readability import FORMULAS

    targets = dict(Settings.reading_targets)
    measured = ", ".join(sorted(set(FORMULAS) - {"en"}))
    for key, value in table.items():
        if key == "en":
            problems.append((_key_line(text, key), "English's reading target is reading_grade_target"))
        elif key not in FORMULAS:
            problems.append(
                (
                    _key_line(text, key),
                    f"no reading formula for '{key}' in [tool.publishing.reading_targets]; measured: {measured}",
                )
            )
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append((_key_line(text, key), f"reading target '{key}' must be a number, not {value!r}"))
        elif not (0 <= value <= 100):  # nan and infinities fail this too
            problems.append((_key_line(text, key), f"reading target '{key}' must be from 0 to 100, not {value!r}"))
        else:
            targets[key] = float(value)
    return tuple(sorted(targets.items()))


def _newsletter_profile(table: dict, text: str, problems: list) -> NewsletterProfile:
    name = table.get("profile", "mailchimp")
    unknown = set(table) - {"profile", "profiles"}
    for key in sorted(unknown):
        problems.append((_key_line(text, key), f"unknown setting '{key}' in [tool.publishing.newsletter]"))
    profiles = table.get("profiles", {})
    if not isinstance(profiles, dict) or not isinstance(profiles.get(name, {}), dict):
        problems.append(
            (
                _key_line(text, "profiles"),
                "newsletter profiles must be tables, e.g. [tool.publishing.newsletter.profiles.smtp]",
            )
        )
        return NewsletterProfile(str(name))
    if name not in profiles:
        problems.append(
            (
                _key_line(text, "profile"),
                f"newsletter profile '{name}' is not defined under [tool.publishing.newsletter.profiles]",
            )
        )
        return NewsletterProfile(name)
    profile = profiles[name]
    allowed = {"unsubscribe_url", "postal_address"}
    for key in sorted(set(profile) - allowed):
        problems.append((_key_line(text, key), f"unknown setting '{key}' in newsletter profile '{name}'"))
    return NewsletterProfile(name, **{k: str(v) for k, v in profile.items() if k in allowed})


def _smtp_settings(table: dict, text: str, problems: list) -> SmtpSettings:
    """[tool.publishing.smtp]: host, port, starttls, user; never the password (it would end up in git)."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "password":
            problems.append(
                (
                    _key_line(text, key),
                    "the SMTP password is never a setting: set the SMTP_PASSWORD environment variable instead",
                )
            )
            continue
        spec = {f.name: f for f in fields(SmtpSettings)}.get(key)
        if spec is None:
            problems.append((_key_line(text, key), f"unknown setting '{key}' in [tool.publishing.smtp]"))
            continue
        kind = str(spec.type)
        expected = {"str": str, "int": int, "bool": bool}[kind]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append((_key_line(text, key), f"smtp setting '{key}' must be {_KINDS[kind]}, not {value!r}"))
            continue
        values[key] = value.strip() if isinstance(value, str) else value
    return SmtpSettings(**values)


def _accessibility_review(table: dict, text: str, problems: list) -> AccessibilityReview:
    """[tool.publishing.accessibility_review]: all of reviewer, credential, report and date, or none."""
    known = {f.name for f in fields(AccessibilityReview)}
    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in known:
            problems.append(
                (_key_line(text, key), f"unknown setting '{key}' in [tool.publishing.accessibility_review]")
            )
        elif not isinstance(value, str):
            problems.append((_key_line(text, key), f"accessibility_review '{key}' must be text in quotes"))
        else:
            values[key] = value.strip()
    review = AccessibilityReview(**values)
    given = [key for key in ("reviewer", "credential", "report", "date") if values.get(key)]
    if given and not review.recorded:
        missing = [key for key in ("reviewer", "credential", "report", "date") if key not in given]
        problems.append(
            (
                _key_line(text, given[0]),
                f"the accessibility review needs {', '.join(missing)} too: a conformance claim names who "
                "evaluated the guides, their credential, the report and its date",
            )
        )
    if review.report and not review.report.startswith("https://"):
        problems.append((_key_line(text, "report"), "accessibility_review 'report' must be an https:// address"))
    if review.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", review.date):
        problems.append((_key_line(text, "date"), "accessibility_review 'date' must be YYYY-MM-DD"))
    return review if review.recorded else AccessibilityReview(conforms_to=review.conforms_to)
