"""Turn one Markdown article into a PDF handout, an EPUB guide and an email newsletter."""

__version__ = "0.1.0"
