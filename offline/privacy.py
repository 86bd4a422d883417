"""What learning keeps of a person: recipients only as hashes, no file names.

Learning only needs to tell recipients apart, so the per-message step replaces the address by a
hash before a sample leaves the process that read it.
"""

from __future__ import annotations

from dataclasses import replace

import xxhash

from .sample import Sample, prepare_checked

__all__ = ["prepare_private", "privatize"]


def _recipient_hash(recipient: str) -> str:
    return f"r:{xxhash.xxh64_hexdigest(recipient.strip().lower().encode())}" if recipient else ""


def privatize(s: Sample) -> Sample:
    """A copy of a sample with the recipient replaced by a hash (learning only needs to tell
    recipients apart) and no file name kept."""
    if s.recipient.startswith("r:") and not s.name:
        return s
    return replace(s, name="", recipient=_recipient_hash(s.recipient))


def prepare_private(name: str, raw: bytes) -> Sample | str:
    """The per-message step: :func:`mailstencil.offline.sample.prepare_checked`, then :func:`privatize`
    (the reason, a fixed phrase, for a message it skips)."""
    s = prepare_checked(name, raw)
    return s if isinstance(s, str) else privatize(s)
