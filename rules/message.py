"""Parse raw RFC 822 bytes into the parts mailstencil needs: headers, HTML body and text body.

The parse is the online hot path, so it uses the fast ``compat32`` parser and decodes only the
headers and body parts that are used; every decoding step falls back instead of raising. A body
can be most of a 25 MB message, so it is fed and decoded without the stdlib's extra copies of it.
"""

from __future__ import annotations

import binascii
import codecs
import email.header
import email.utils
import functools
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.feedparser import FeedParser
from email.message import Message
from email.policy import compat32

from .text import safe_text

__all__ = ["MessageError", "ParsedMessage", "parse_message"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_PARTS = 200
_CACHED_CONTENT_TYPE = 256  # longest Content-Type value whose charset is cached (1,024 of them)
_LONE_CR = re.compile(rb"\r(?!\n)")
# a line as the stdlib parser splits them (StringIO(newline="").readlines(): CRLF, CR or LF)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_OTHER_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")  # str.splitlines also splits at these
# the end of the first empty line (a CR before a LF is one line ending with it, never two)
_BLANK_LINE = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r|\n)")
_WINDOW = 1 << 16  # bytes decoded at a time (cut after a LF, so a CRLF is never split)
# a base64 body of alphabet lines, padding only at its end: what the stdlib decodes strictly
_PLAIN_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}")
# one address, bare or after a display name of words: what email.utils.parseaddr reads as
# itself, matched without its parser (a name with quotes, comments, dots or commas goes to it)
_ADDR_SPEC = r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
# the first line of a field as the stdlib's header parser takes it (a name, then ":"), except a
# nameless one (a defect) and a ``From `` envelope line (read apart)
_FIELD_LINE = re.compile(r"[\041-\071\073-\176]+:")
_PLAIN_ADDRESS = re.compile(rf"[ \t\r\n]*(?:[\w &'+-]*<({_ADDR_SPEC})>|({_ADDR_SPEC}))[ \t\r\n]*")


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
            text = data.decode(candidate)
            # a strict UTF-8 decode never yields a lone surrogate: no need to look for one
            return text if codecs.lookup(candidate).name == "utf-8" else safe_text(text)
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return data.decode("latin-1")


def _address(raw: str) -> str:
    """The lower-cased bare address of a header like ``Name <a@b>``."""
    plain = _PLAIN_ADDRESS.fullmatch(raw)
    if plain is not None:
        return (plain.group(1) or plain.group(2)).lower()
    return email.utils.parseaddr(raw)[1].strip().lower()


def _recipients(values: list[str]) -> list[str]:
    """The lower-cased bare addresses of the ``To:`` headers ``values``."""
    plain = [_PLAIN_ADDRESS.fullmatch(v) for v in values]
    if all(plain):
        return [(m.group(1) or m.group(2)).lower() for m in plain if m is not None]
    return [a.lower() for _, a in email.utils.getaddresses(values) if a]


def _parse_date(raw: str) -> datetime:
    if raw:
        try:
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, AttributeError, OverflowError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return _EPOCH


def _take_body(part: Message) -> bytes:
    """The bytes ``part.get_payload(decode=True)`` gives, with the body dropped from the part
    first, so that one copy of it is alive at a time (the stdlib holds three or four)."""
    payload = part.__dict__.get("_payload")
    cte = str(part.get("content-transfer-encoding", "")).lower()
    uu = cte in ("x-uuencode", "uuencode", "uue", "x-uue")
    if not isinstance(payload, str) or uu or (cte == "base64" and not _plain_base64(payload)):
        got = part.get_payload(decode=True)  # rare shapes: the stdlib's own repairs
        return got if isinstance(got, bytes) else b""
    part.set_payload("")
    if cte == "base64":
        return binascii.a2b_base64(payload)
    data = payload.encode("ascii", "surrogateescape")  # the raw bytes the parser was given
    del payload
    return quopri.decodestring(data) if cte == "quoted-printable" else data


def _plain_base64(payload: str) -> bool:
    """Whether ``payload`` is base64 that the stdlib decodes on its first, strict try: alphabet
    lines with padding only at the end and a length that needs none added."""
    if _PLAIN_BASE64.fullmatch(payload) is None:
        return False
    return (len(payload) - payload.count("\r") - payload.count("\n")) % 4 == 0


def _lines(raw: bytes) -> Iterator[list[str]]:
    """The lines of ``raw`` as the stdlib's ``message_from_bytes`` reads them (ASCII with
    ``surrogateescape``), a window at a time, so the message is never decoded whole."""
    view = memoryview(raw)
    plain = not any(c in raw for c in _OTHER_BREAKS)  # then the fast str.splitlines splits alike
    pos = 0
    while pos < len(raw):
        cut = raw.find(b"\n", pos + _WINDOW) + 1 or len(raw)
        text = str(view[pos:cut], "ascii", "surrogateescape")
        yield text.splitlines(True) if plain else _LINE.findall(text)
        pos = cut


def _feed(raw: bytes, headers_only: bool = False) -> Message:
    """``email.message_from_bytes(raw, policy=compat32)`` with no whole-message copy: the lines go
    straight to the parser's line buffer, split as ``FeedParser.feed`` splits them (its
    partial-line StringIO takes four bytes a character, so one long line cost five times it).
    ``headers_only``: what follows the header block is the payload, whatever the type says (no
    multipart parse, so no regex compiled for a boundary and no defect for a missing body)."""
    feeder = FeedParser(policy=compat32)
    if headers_only:
        feeder._set_headersonly()  # type: ignore[attr-defined]
    for lines in _lines(raw):
        feeder._input.pushlines(lines)  # type: ignore[attr-defined]
        feeder._call_parse()  # type: ignore[attr-defined]
    return feeder.close()


def _header_block(block: bytes) -> Message:
    """``_feed(block, headers_only=True)`` for a header block ended by its empty line: fields, each
    its first line and continuation lines, are set as the parser sets them, without the parser's
    line buffer and generators; other shapes (an envelope line, a defect) go to :func:`_feed`."""
    if any(c in block for c in _OTHER_BREAKS):
        return _feed(block, headers_only=True)
    *lines, blank = str(block, "ascii", "surrogateescape").splitlines(True)
    msg = Message(policy=compat32)
    field: list[str] = []
    for line in lines:
        if line[0] in " \t" and field:
            field.append(line)
        elif _FIELD_LINE.match(line):
            if field:
                msg.set_raw(*compat32.header_source_parse(field))
            field = [line]
        else:
            return _feed(block, headers_only=True)
    if not field or blank not in ("\n", "\r\n", "\r"):
        return _feed(block, headers_only=True)
    msg.set_raw(*compat32.header_source_parse(field))
    msg.set_payload("")
    return msg


def _parse(raw: bytes) -> Message:
    """``email.message_from_bytes(raw, policy=compat32)``. Where the message has a plain shape
    (:func:`_plain`) its bodies are not fed line by line through the parser: a single-part body
    becomes its payload in one piece (the parser would hold it as a list of lines, each a str
    object), a multipart body is cut at its boundary lines (:func:`_parts`)."""
    plain = _plain(raw, 0, len(raw), _LONE_CR.search(raw) is None)
    return _feed(raw) if plain is None else plain


def _plain(raw: bytes, start: int, end: int, multipart: bool) -> Message | None:
    """``raw[start:end]`` parsed as the stdlib parses it when its header block ends at an empty
    line and its body is single-part, or (``multipart``) multipart of such parts, each ended by
    its boundary (a multipart's preamble and epilogue, which nothing reads, are left unset);
    ``None`` for any other shape, which the caller feeds to the parser whole."""
    blank = _BLANK_LINE.search(raw, start, end)
    if blank is None:
        return None
    head = _header_block(raw[start : blank.end()])
    if head.get_payload() != "":  # the header block ended before the empty line
        return None
    kind = head.get_content_maintype()
    if kind == "message" or (kind == "multipart" and not multipart):
        return None
    if kind == "multipart":
        parts = _parts(raw, blank.end(), end, head.get_boundary())
        if parts is None:
            return None
        payload: list[Message | str] = [*parts]
        head.set_payload(payload)
        return head
    head.set_payload(str(memoryview(raw)[blank.end() : end], "ascii", "surrogateescape"))
    return head


def _parts(raw: bytes, start: int, end: int, boundary: str | None) -> list[Message] | None:
    """The parts of the multipart body ``raw[start:end]``, cut where the stdlib's parser cuts them
    (a line that is the boundary, the line ending before it belonging to it); ``None`` unless the
    body is plain: an ASCII boundary that opens a part first, never two boundary lines in a row,
    a closing boundary, and plain parts. The caller has made sure no lone CR ends a line."""
    if boundary is None or not boundary.isascii():
        return None
    parts: list[Message] = []
    at: int | None = None  # where the current part starts
    for line, after, closing in _boundary_lines(raw, start, end, b"--" + boundary.encode()):
        if at is None and closing:
            return None
        if at is not None:
            if line == at:
                return None
            cut = line - (2 if raw[line - 2 : line] == b"\r\n" else 1)
            part = _plain(raw, at, max(cut, at), True)
            if part is None:
                return None
            parts.append(part)
        if closing:
            return parts
        at = after
    return None


def _boundary_lines(raw: bytes, start: int, end: int, sep: bytes) -> Iterator[tuple[int, int, bool]]:
    """(start, end, closing) of each line of ``raw[start:end]`` that the parser takes for a
    boundary: ``sep``, ``--`` when closing, spaces or tabs, then its line ending or the end (found
    with ``bytes.find``: a regex per boundary would be compiled anew for each message)."""
    at = start
    while (i := raw.find(sep, at, end)) >= 0:
        at = i + 1
        if raw[i - 1] != 0x0A:  # not at a line's start (``start`` follows a line ending)
            continue
        j = i + len(sep)
        closing = raw.startswith(b"--", j, end)
        j += 2 * closing
        while j < end and raw[j] in b" \t":
            j += 1
        if raw.startswith(b"\r\n", j, end):
            yield i, j + 2, closing
        elif j == end or raw[j] in b"\r\n":
            yield i, min(j + 1, end), closing


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
            html = _decode_bytes(_take_body(part), _charset(part))
        elif ctype == "text/plain" and text is None:
            text = _decode_bytes(_take_body(part), _charset(part))
        if html is not None and text is not None:
            break
    return html, text


def _charset(part: Message) -> str | None:
    """``part.get_content_charset()``, read once per distinct ``Content-Type`` value: a body part's
    value is one of a few across a sender's mail (``text/html; charset="utf-8"``), and the
    stdlib's parameter parse costs 6 us a part. A value that is no plain text (8-bit bytes in it,
    handed back as a ``Header``) or is long (the cache's memory stays bounded) is read from the part
    itself."""
    value = part.get("content-type")
    if type(value) is str and len(value) <= _CACHED_CONTENT_TYPE:
        return _charset_of(value)
    return part.get_content_charset()


@functools.lru_cache(maxsize=1024)
def _charset_of(content_type: str) -> str | None:
    """The charset a ``Content-Type`` value names, as ``Message.get_content_charset`` reads it."""
    probe = Message(policy=compat32)
    probe["Content-Type"] = content_type
    charset: str | None = probe.get_content_charset()
    return charset


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
        msg = _parse(raw)
    except Exception as exc:  # noqa: BLE001 - the stdlib parser is lenient; anything else is junk
        raise MessageError(f"unparseable message: {type(exc).__name__}") from exc
    if not msg.keys():
        raise MessageError("no RFC 822 headers found")
    sender = _address(_decode_header(_header(msg, "From") or _header(msg, "Sender")))
    try:
        recipients = _recipients([safe_text(str(v)) for v in msg.get_all("To") or []])
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
