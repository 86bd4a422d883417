"""Messages prepared for learning: parsed once, reduced to leaves and their structure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rules.cluster import structure_paths, text_signature
from rules.dom import DomError, Leaf, message_leaves
from rules.message import MessageError, parse_message

__all__ = ["Sample", "prepare", "prepare_checked"]


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
    signature: frozenset[str]

    @property
    def reader(self) -> str:
        """Who received it (the Message-ID when no recipient is known): the unit of k-anonymity."""
        return self.recipient or self.message_id


def prepare(name: str, raw: bytes, text_only: bool = False) -> Sample | None:
    """Parse a raw message for learning; ``None`` for junk (learning skips what it cannot read).

    ``text_only`` ignores the HTML part (``None`` when there is no text part): how plain-text
    senders are learned, and how the plain-text path is measured on mail that has both.
    """
    got = prepare_checked(name, raw, text_only)
    return got if isinstance(got, Sample) else None


def prepare_checked(name: str, raw: bytes, text_only: bool = False) -> Sample | str:
    """:func:`prepare`, saying in a few words why a message cannot be learned from (never its content)."""
    try:
        msg = parse_message(raw)
        if text_only and not msg.text:
            return "no text part"
        leaves = message_leaves(msg.subject, None if text_only else msg.html, msg.text)
    except (MessageError, DomError) as exc:
        return str(exc)
    except RecursionError:
        return "nested too deeply"
    if not msg.sender:
        return "no sender (From header)"
    if not leaves:
        return "no text in subject or body"
    return Sample(
        name=name,
        message_id=msg.message_id,
        sender=msg.sender,
        subject=msg.subject,
        date=msg.date,
        recipient=msg.recipients[0] if msg.recipients else "",
        leaves=leaves,
        paths=structure_paths(leaves),
        signature=text_signature(msg.subject, leaves),
    )
