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
class Settings:
    clinic_name: str
    clinic_phone: str
    clinic_location: str = ""
    clinic_about: str = ""
    default_author: str = ""
    default_lang: str = "en-US"
    web_address: str = ""
    article_url: str = ""  # e.g. https://www.example.org/guides/{slug}/ ; empty: web_address
    postal_address: str = ""
    sender_address: str = ""
    image_base_url: str = ""
    booking_url: str = ""  # where patients book online; empty: the newsletter offers the phone only
    paper_size: str = "letter"
    review_policy_months: int = 12
    reading_grade_target: float = 8
    newsletter: NewsletterProfile = field(default_factory=lambda: NewsletterProfile("mailchimp"))
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    path: Path | None = None

    @property
    def phone_uri(self) -> str:
        """The clinic phone as a ``tel:`` URI (digits only, US country code)."""
        digits = re.sub(r"\D", "", self.clinic_phone)
        if len(digits) == 10:
            digits = "1" + digits
        return f"tel:+{digits}"

    def article_web_address(self, slug: str) -> str:
        """Where an article is read online: the article_url pattern, else the clinic's web address.

        Never a guessed URL: without a pattern from the clinic, links go to its home page."""
        return self.article_url.format(slug=slug) if self.article_url else self.web_address

    @property
    def page_size(self) -> str:
        return PAPER_SIZES[self.paper_size]

    def fingerprint(self) -> str:
        """A stable text of every setting, for deciding what needs rebuilding."""
        return repr(
            tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("path", "smtp"))
        )  # where mail is sent changes no product


_SCALARS = {f.name: f for f in fields(Settings) if f.name not in ("newsletter", "smtp", "path")}
_REQUIRED = ("clinic_name", "clinic_phone")
_KINDS = {"str": "text in quotes", "int": "a whole number", "float": "a number", "bool": "true or false"}


def load_settings(pyproject: Path) -> Settings:
    """Read and validate ``[tool.publishing]``; report every problem at once, each with its line."""
    text = pyproject.read_text(encoding="utf-8")
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

    problems: list[tuple[int | None, str]] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("newsletter", "smtp"):
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
    if values.get("article_url") and "{slug}" not in str(values["article_url"]):
        problems.append(
            (
                _key_line(text, "article_url"),
                "article_url must contain {slug}, e.g. https://www.example.org/guides/{slug}/",
            )
        )
    for key in ("web_address", "article_url", "image_base_url", "booking_url"):
        if values.get(key) and not str(values[key]).startswith("https://"):
            problems.append((_key_line(text, key), f"setting '{key}' must be an https:// address"))

    newsletter = _newsletter_profile(table.get("newsletter", {}), text, problems)
    smtp = _smtp_settings(table.get("smtp", {}), text, problems)
    PublishingErrors.raise_if_any(
        [
            PublishingError(pyproject, message, line=line, hint="fix [tool.publishing] in pyproject.toml")
            for line, message in problems
        ]
    )
    return Settings(**values, newsletter=newsletter, smtp=smtp, path=pyproject)


def _newsletter_profile(table: dict, text: str, problems: list) -> NewsletterProfile:
    name = table.get("profile", "mailchimp")
    unknown = set(table) - {"profile", "profiles"}
    for key in sorted(unknown):
        problems.append((_key_line(text, key), f"unknown setting '{key}' in [tool.publishing.newsletter]"))
    profiles = table.get("profiles", {})
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


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, flags=re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
