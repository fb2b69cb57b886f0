"""What the 988 Suicide and Crisis Lifeline offers, per language: the table every crisis block is
checked against, so no card offers a service that does not exist in its reader's language.

Sources: 988lifeline.org, "What to expect" (calls: press 2 for Spanish; texts: AYUDA for Spanish;
chat in English and Spanish) and SAMHSA's 988 FAQ (calls with an interpreter in more than 240 other
languages; no text or chat in them). When the Lifeline adds a service in a language, add it here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

NUMBER = "988"
# The Lifeline's own site: a chat link must lead there (another site is not the 988 chat).
CHAT_HOSTS = ("988lifeline.org", "www.988lifeline.org", "chat.988lifeline.org")

# language (BCP 47 primary subtag) -> what 988 offers in it
SERVICES: dict[str, frozenset[str]] = {
    "en": frozenset({"call", "text", "chat"}),
    "es": frozenset({"call", "text", "chat"}),
}
# Every other language: a call to 988, answered with an interpreter.
EVERY_OTHER_LANGUAGE = frozenset({"call"})

WHERE = "publishing/lifeline.py"
SUMMARY = "English and Spanish: call, text and chat; every other language: a call with an interpreter"


def services(language: str) -> frozenset[str]:
    """The 988 services in ``language`` ("es")."""
    return SERVICES.get(language, EVERY_OTHER_LANGUAGE)


def is_chat_address(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in CHAT_HOSTS


def refusal(kind: str, language: str, language_name: str) -> str | None:
    """Why a block in ``language`` may not offer 988's ``kind`` ("text", "chat"), or None when it may."""
    if kind in services(language):
        return None
    verb = {"text": "texting", "chat": "chat"}.get(kind, kind)
    return f"the 988 Lifeline offers no {verb} in {language_name} (the table in {WHERE}: {SUMMARY})"
