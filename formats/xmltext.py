"""Escaping for the formats built as text (LIDO, EDM): what xml.sax.saxutils does, without its per-call overhead."""
from __future__ import annotations


def text(value: str) -> str:
    """Element content. A CR becomes a character reference: XML parsers turn a raw CR into LF."""
    if "&" in value or "<" in value or ">" in value or "\r" in value:  # rare: most values need nothing
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return value.replace("\r", "&#13;")
    return value


def attr(value: str) -> str:
    """A quoted attribute value."""
    value = text(value).replace('"', "&quot;")
    if "\n" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\t", "&#9;")
    return f'"{value}"'
