"""Text from data (a township's name, a code from a boundary file) shown as itself inside Streamlit's Markdown.

st.warning, st.info and st.caption render their body as GitHub-flavoured Markdown with Streamlit's directives
(:red[…], :material/…:, $…$), so a code written as `[点此](https://…)` would become a link. CommonMark lets any
ASCII punctuation be escaped with a backslash and then shows it as the character itself; line breaks become
spaces, so nothing from data can start a block (a heading, a list, an indented code block). GFM's autolink
literals (https://…, www.…, name@host) are found in the text after escapes are resolved, so a WORD JOINER (U+2060,
invisible and unbreakable) goes after their `://`, `www` and `@`, which no autolink then matches.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
_BREAKS = re.compile(r"[\r\n\t\f\v]+")
_AUTOLINK_STARTS = re.compile(r"(:(?=//)|\bwww(?=\.)|@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def markdown_literal(text: str) -> str:
    """`text` as Markdown that renders as `text` (on one line), with no link, directive or formatting in it."""
    unlinked = _AUTOLINK_STARTS.sub(lambda match: match.group() + WORD_JOINER, _BREAKS.sub(" ", text))
    return _PUNCTUATION.sub(lambda match: "\\" + match.group(), unlinked)
