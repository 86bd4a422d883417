"""Parse raw RFC 822 bytes into the parts mailstencil needs: headers, HTML body and text body.

The parse is the online hot path, so it uses the fast ``compat32`` parser and decodes only the
headers and body parts that are used; every decoding step falls back instead of raising.
"""

from __future__ import annotations

import email.header
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from email.policy import compat32

from .text import safe_text

__all__ = ["MessageError", "ParsedMessage", "parse_message"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_PARTS = 200
_LONE_CR = re.compile(rb"\r(?!\n)")


class MessageError(ValueError):
    """Raised when bytes cannot be understood as an email message at all."""


@dataclass(slots=True)
class ParsedMessage:
    """The fields of one message that learning and extraction use."""

    sender: str
    subject: str
    message_id: str
    date: datetime
    recipients: list[str] = field(default_factory=list)
    html: str | None = None
    text: str | None = None


def _header(msg: Message, name: str) -> str:
    """A raw header as text: 8-bit bytes in it (compat32 hands those back as a ``Header``) become
    U+FFFD, never an exception."""
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return safe_text(str(value))
    except Exception:  # noqa: BLE001 - a header object that cannot be printed is no header
        return ""


def _decode_header(raw: str) -> str:
    """Decode an RFC 2047 header into text, tolerating unknown charsets and bad encodings."""
    if not raw:
        return ""
    if "=?" not in raw:
        return " ".join(raw.split())
    out: list[str] = []
    try:
        chunks = email.header.decode_header(raw)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the raw header
        return " ".join(raw.split())
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return safe_text(" ".join("".join(out).split()))


def _decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode body bytes with the declared charset, falling back to UTF-8 and then Latin-1.

    Any codec Python knows may be named (``punycode``, ``idna``, ``utf-7``...): whatever it
    raises means "not this charset", and what it returns is cleaned of lone surrogates.
    """
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return safe_text(data.decode(candidate))
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return data.decode("latin-1")


def _address(raw: str) -> str:
    """The lower-cased bare address of a header like ``Name <a@b>``."""
    return email.utils.parseaddr(raw)[1].strip().lower()


def _parse_date(raw: str) -> datetime:
    if raw:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, AttributeError, OverflowError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return _EPOCH


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _decode_bytes(payload, part.get_content_charset())


def _bodies(msg: Message) -> tuple[str | None, str | None]:
    """First text/html and first text/plain part that are not attachments."""
    html: str | None = None
    text: str | None = None
    for count, part in enumerate(msg.walk()):
        if count > _MAX_PARTS:
            break
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/html", "text/plain"):
            continue
        disposition = (part.get("Content-Disposition") or "").lower()
        if disposition.startswith("attachment"):
            continue
        if ctype == "text/html" and html is None:
            html = _part_text(part)
        elif ctype == "text/plain" and text is None:
            text = _part_text(part)
        if html is not None and text is not None:
            break
    return html, text


def _readable(raw: bytes) -> bytes:
    """``raw`` with stray NUL bytes dropped and CR-only line endings made LF (an old Mac mailer's
    export; a stray LF or CRLF among them is kept as it is), or :class:`MessageError` when its
    start holds no header block (binary data)."""
    head = raw[:4096]
    if b":" not in head or head.count(b"\x00") > len(head) // 8:
        raise MessageError("no RFC 822 header block found")
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
    if head.count(b"\r") > 2 * head.count(b"\n"):  # mostly lone CRs: CRLF mail has as many of each
        raw = _LONE_CR.sub(b"\n", raw)
    return raw


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse raw RFC 822 bytes; raise :class:`MessageError` when there is no message in them."""
    if not isinstance(raw, bytes | bytearray):
        raise MessageError("message must be bytes")
    raw = _readable(bytes(raw))
    try:
        msg = message_from_bytes(raw, policy=compat32)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is lenient; anything else is junk
        raise MessageError(f"unparseable message: {type(exc).__name__}") from exc
    if not msg.keys():
        raise MessageError("no RFC 822 headers found")
    sender = _address(_decode_header(_header(msg, "From") or _header(msg, "Sender")))
    try:
        to = [safe_text(str(v)) for v in msg.get_all("To") or []]
        recipients = [a.lower() for _, a in email.utils.getaddresses(to) if a]
    except Exception:  # noqa: BLE001 - an unparseable To: header names no recipient
        recipients = []
    try:
        html, text = _bodies(msg)
    except Exception as exc:  # noqa: BLE001 - broken MIME structure
        raise MessageError(f"broken MIME structure: {type(exc).__name__}") from exc
    return ParsedMessage(
        sender=sender,
        subject=_decode_header(_header(msg, "Subject")),
        message_id=_header(msg, "Message-ID").strip(),
        date=_parse_date(_header(msg, "Date")),
        recipients=recipients,
        html=html,
        text=text,
    )
