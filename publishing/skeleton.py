"""What `invoke new "Title"` writes: complete front matter and a skeleton of what the products support.

On its own, because two read it: scaffold.py writes it, and unfinished.py refuses its example text
left in an article."""

SKELETON = """---
title: {title}
description: >-
  One or two sentences that say what this article is about. They appear under
  the title in every product and as the newsletter's preview text.
author: {author}
category: Conditions
# last_reviewed: YYYY-MM-DD   <- the clinician who reviews the article adds this
---

Start with a short answer: the one thing a patient should take away.

## A section heading

Write in short paragraphs. **Bold** marks a key phrase; *italic* a term.

- A bulleted list
- needs no blank line before it
    - and nests by four spaces

1. A numbered list
2. keeps its numbers in every product

!!! note "Before your appointment"
    A callout: indent its text by four spaces. Use "tip", "important" or "warning" instead of "note"
    for other kinds.

## Questions patients ask

### A question as a heading?

Its answer as a paragraph.

<!--
To add a picture, save it under sources/images/ and write (the text in square brackets
describes the picture for people who cannot see it; the quoted text becomes the caption):

![Describe what the picture shows](images/your-picture.png "A caption under the picture")

Do not write the medical disclaimer or the crisis information: every product adds them.
-->
"""
