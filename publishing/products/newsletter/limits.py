"""What real inboxes allow: the facts the newsletter is built to and the gate checks against."""

# Gmail clips a message at about 102 KB; email services add their own bytes.
HTML_BUDGET = 82_000
# The crisis block must come before anything Gmail could clip.
CRISIS_WITHIN = 20_000
TEXT_WIDTH = 78
# RFC 5322: a line is at most 998 bytes, not counting CRLF.
LINE_LIMIT = 998
# The 600 px column less the content cell's 32 px padding on each side.
IMAGE_WIDTH = 536
# Gmail drops a <style> over 16 KB.
STYLE_LIMIT = 16_384
