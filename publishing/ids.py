"""Element ids the layouts own: checks outside the pipeline find the required blocks by them, and
an article's heading may never take one (markup.py gives it another)."""

CRISIS = "crisis-988"
DISCLAIMER = "medical-disclaimer"
CONTACT = "clinic-contact"

# The ids every product's pages carry besides the article's own: a link may point at them.
ON_EVERY_PAGE = frozenset({CRISIS, DISCLAIMER, CONTACT})
# ... and those an article's heading must leave alone ("toc" is the guide's contents).
RESERVED = ON_EVERY_PAGE | {"toc"}
