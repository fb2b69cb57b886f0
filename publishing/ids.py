"""Element ids the layouts own: checks outside the pipeline find the required blocks by them, and
an article's heading may never take one (markup.py gives it another)."""

CRISIS = "crisis-988"
DISCLAIMER = "medical-disclaimer"
CONTACT = "clinic-contact"
NOTES_TITLE = "notes-title"  # the guide's heading over an article's notes
IMPRINT_TITLE = "imprint-title"  # the guide's imprint, in its last document

# The ids every product's pages carry besides the article's own: a link may point at them.
ON_EVERY_PAGE = frozenset({CRISIS, DISCLAIMER, CONTACT})
# ... and those an article's heading must leave alone ("toc" is the guide's contents).
RESERVED = ON_EVERY_PAGE | {"toc", NOTES_TITLE, IMPRINT_TITLE, "article-title"}
