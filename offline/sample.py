"""Messages prepared for learning: parsed once, reduced to leaves and their structure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from mailstencil.rules.cluster import Mark, structure_paths, text_signature
from mailstencil.rules.dom import DomError, Leaf, message_leaves
from mailstencil.rules.message import MessageError, ParsedMessage, parse_message

__all__ = ["Sample", "prepare", "prepare_checked", "content_id", "CONTENT_ID"]

CONTENT_ID = "content:"
"""Prefix of the identifier a message without a Message-ID gets from a digest of its content."""


@dataclass(slots=True)
class Sample:
    """One message as learning sees it."""

    name: str
    message_id: str
    sender: str
    subject: str
    date: datetime
    recipient: str
    leaves: list[Leaf]
    paths: frozenset[str]
    signature: frozenset[Mark]

    @property
    def reader(self) -> str:
        """Who received it: the unit of k-anonymity. Without a recipient, its Message-ID; a
        content digest never counts as a reader of its own (all such mail is one reader)."""
        if self.recipient or self.message_id.startswith(CONTENT_ID):
            return self.recipient
        return self.message_id


def content_id(msg: ParsedMessage) -> str:
    """An identifier of a message without a Message-ID: a digest of what learning reads of it,
    so two different messages never collapse into one and a re-delivered copy still does."""
    h = hashlib.blake2b(digest_size=16)
    for part in (
        msg.sender,
        *msg.recipients,
        msg.date.isoformat(),
        msg.subject,
        msg.html or "",
        msg.text or "",
    ):
        h.update(part.encode("utf-8", "replace") + b"\x00")
    return CONTENT_ID + h.hexdigest()


def prepare(name: str, raw: bytes, text_only: bool = False) -> Sample | None:
    """Parse a raw message for learning; ``None`` for junk (learning skips what it cannot read).

    ``text_only`` ignores the HTML part (``None`` when there is no text part): how plain-text
    senders are learned, and how the plain-text path is measured on mail that has both.
    """
    got = prepare_checked(name, raw, text_only)
    return got if isinstance(got, Sample) else None


def prepare_checked(name: str, raw: bytes, text_only: bool = False) -> Sample | str:
    """:func:`prepare`, saying why a message cannot be learned from instead of ``None``: a fixed
    phrase, never content, so the run report counts skips by it and ``learn`` names files with it."""
    try:
        msg = parse_message(raw)
        if text_only and not msg.text:
            return "no text part"
        leaves = message_leaves(msg.subject, None if text_only else msg.html, msg.text)
    except MessageError:
        return "not an RFC 822 message"
    except DomError:
        return "body over a parse limit"
    except RecursionError:
        return "nested too deeply"
    if not msg.sender:
        return "no sender address"
    if not leaves:
        return "no text"
    return Sample(
        name=name,
        message_id=msg.message_id or content_id(msg),
        sender=msg.sender,
        subject=msg.subject,
        date=msg.date,
        recipient=msg.recipients[0] if msg.recipients else "",
        leaves=leaves,
        paths=structure_paths(leaves),
        signature=text_signature(msg.subject, leaves),
    )
