"""What the legally required footer of every email gives (CAN-SPAM: the sender's postal address), read
alike by the HTML (compose.py), the plain-text part (plaintext.py) and the check before sending (send.py);
here, on its own, so that none of them imports another for it."""

from __future__ import annotations


def footer_postal_address(settings) -> str:
    return settings.newsletter.postal_address or settings.postal_address
