"""mailstencil.rules.message.parse_message: real RFC 822 bytes in, the parts mailstencil uses out."""

from __future__ import annotations

import base64
import email
import email.utils
import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from email.policy import compat32

import pytest
from helpers import MESSAGES, assert_golden, fixture_names, golden_message
from hypothesis import given, settings
from hypothesis import strategies as st

from mailstencil.rules.message import (
    _BLANK_LINE,
    MessageError,
    ParsedMessage,
    _address,
    _charset,
    _feed,
    _header_block,
    _parse,
    _recipients,
    _take_body,
    parse_message,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _raw(headers: str, body: bytes = b"hello\n") -> bytes:
    return headers.strip("\n").replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n" + body


def _plain(charset: str, body: bytes, cte: str = "8bit") -> bytes:
    return _raw(
        f"""
From: Shop <shop@shop.example>
Subject: charset test
Content-Type: text/plain; charset={charset}
Content-Transfer-Encoding: {cte}
""",
        body,
    )


# --------------------------------------------------------------------------------------------
# structure: alternative, related, mixed with attachments


def test_multipart_alternative_fixture_has_both_bodies() -> None:
    msg = parse_message((MESSAGES / "alternative_qp.eml").read_bytes())
    assert isinstance(msg, ParsedMessage)
    assert msg.sender == "bestellung@kranich-baeckerei.example"  # bare address, lower-cased
    assert msg.subject == "Ihre Bestellung bei Bäckerei Kranich Nr. 7731"
    assert msg.message_id == "<kr-7731-a@kranich-baeckerei.example>"
    assert msg.date == datetime(2026, 4, 14, 7, 45, 10, tzinfo=timezone(timedelta(hours=2)))
    assert msg.recipients == ["mira.lindqvist@post.example"]
    # quoted-printable decoded: =E2=82=AC is the euro sign, =3D is "=", soft line breaks joined
    assert msg.text == "Hallo Mira,\nBestellnummer: 7731\nSumme: 12,50 €\n"
    assert msg.html is not None
    assert 'class="card main"' in msg.html
    assert '<td class="v">7731</td>' in msg.html
    assert "</tr></table>" in msg.html
    assert "für Ihre Bestellung" in msg.html


def test_multipart_related_base64_html_and_attachments_skipped() -> None:
    msg = parse_message((MESSAGES / "related_base64.eml").read_bytes())
    assert msg.subject == "Votre réservation à l'Hôtel Lumen"
    assert msg.recipients == ["theo.marchal@courriel.example", "ana@courriel.example"]
    assert msg.html is not None
    assert msg.html.startswith("<!DOCTYPE html>")
    assert "Réservation confirmée" in msg.html
    assert "318,00 €" in msg.html
    # the only text/plain part is an attachment: it must not become the text body
    assert msg.text is None
    assert "Conditions" not in msg.html


def test_attachment_before_body_is_not_taken() -> None:
    att = base64.b64encode(b"<p>attached invoice</p>").decode()
    raw = _raw(
        """
From: billing@shop.example
Subject: invoice
Content-Type: multipart/mixed; boundary="b0"
""",
        (
            "--b0\r\n"
            'Content-Type: text/html; charset=utf-8; name="invoice.html"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            'Content-Disposition: Attachment; filename="invoice.html"\r\n\r\n'
            f"{att}\r\n"
            "--b0\r\n"
            'Content-Type: text/plain; name="notes.txt"\r\n'
            'Content-Disposition: attachment; filename="notes.txt"\r\n\r\n'
            "attached notes\r\n"
            "--b0\r\n"
            "Content-Type: multipart/alternative; boundary=b1\r\n\r\n"
            "--b1\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "the real text\r\n"
            "--b1\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Disposition: inline\r\n\r\n"
            "<p>the real html</p>\r\n"
            "--b1--\r\n"
            "--b0--\r\n"
        ).encode(),
    )
    msg = parse_message(raw)
    assert msg.html is not None and msg.text is not None
    assert msg.html.strip() == "<p>the real html</p>"
    assert msg.text.strip() == "the real text"


def test_non_text_parts_are_not_bodies() -> None:
    raw = _raw(
        """
From: a@shop.example
Subject: only an image
Content-Type: multipart/mixed; boundary=zz
""",
        b"--zz\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"iVBORw0KGgo=\r\n--zz--\r\n",
    )
    msg = parse_message(raw)
    assert msg.html is None and msg.text is None


def test_text_only_message() -> None:
    msg = parse_message(_plain("utf-8", b"Order: 12\n"))
    assert msg.html is None
    assert msg.text == "Order: 12\n"


def test_base64_single_part_html() -> None:
    body = base64.encodebytes("<p>Grüße aus Köln</p>".encode()).replace(b"\n", b"\r\n")
    raw = _raw(
        """
From: a@b.example
Subject: b64
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: base64
""",
        body,
    )
    assert parse_message(raw).html == "<p>Grüße aus Köln</p>"


def test_quoted_printable_soft_breaks_and_escapes() -> None:
    raw = _plain(
        "iso-8859-1", b"Gr=FC=DFe, lange Zeile mit wei=\r\nchem Umbruch =3D ok\r\n", cte="quoted-printable"
    )
    assert parse_message(raw).text == "Grüße, lange Zeile mit weichem Umbruch = ok\r\n"


# --------------------------------------------------------------------------------------------
# charsets


@pytest.mark.parametrize(
    ("charset", "body", "expected"),
    [
        ("us-ascii", "Café 12,50 €".encode(), "Café 12,50 €"),  # declared ascii, really UTF-8
        ("us-ascii", "Café à Noël".encode("latin-1"), "Café à Noël"),  # declared ascii, really Latin-1
        ("utf-8", "Müller".encode("latin-1"), "Müller"),  # declared UTF-8, really Latin-1
        ("x-no-such-charset", "Zoë".encode(), "Zoë"),  # unknown charset name
        ('"utf-8"', "ok ✓".encode(), "ok ✓"),
        ("windows-1252", "„quoted“ – €".encode("cp1252"), "„quoted“ – €"),
        ("shift_jis", "ご注文".encode("shift_jis"), "ご注文"),
    ],
)
def test_body_charset_fallbacks(charset: str, body: bytes, expected: str) -> None:
    assert parse_message(_plain(charset, body)).text == expected


def test_charset_fixture_declared_ascii_is_latin1() -> None:
    msg = parse_message((MESSAGES / "text_only_wrong_charset.eml").read_bytes())
    assert msg.html is None
    assert msg.text is not None
    assert msg.text.startswith("Guten Tag Frau Böhm,\n")
    assert "Fällig am: 30.06.2026" in msg.text
    assert "Grüßen" in msg.text


def test_iso_2022_jp_fixture() -> None:
    msg = parse_message((MESSAGES / "japanese_iso2022jp.eml").read_bytes())
    assert msg.subject == "ご注文の確認"
    assert msg.sender == "info@sakura-shoten.example"
    assert msg.html is not None
    assert "ご注文ありがとうございます。" in msg.html
    assert "¥3,480" in msg.html


# --------------------------------------------------------------------------------------------
# headers


def test_rfc2047_subject_and_from() -> None:
    raw = _raw(
        """
From: =?iso-8859-1?q?J=FCrgen_M=FCller?= <Juergen.Mueller@Example.COM>
To: =?utf-8?b?w4lsb2RpZQ==?= <elodie@x.example>, plain@y.example
Subject: =?utf-8?b?w4l0w6kgMjAyNg==?= =?utf-8?q?_und_Gr=C3=BC=C3=9Fe?=
Message-ID:   <m1@example.com>
Date: Thu, 02 Apr 2026 10:00:00 +0000
"""
    )
    msg = parse_message(raw)
    assert msg.sender == "juergen.mueller@example.com"
    assert msg.subject == "Été 2026 und Grüße"
    assert msg.message_id == "<m1@example.com>"
    assert msg.recipients == ["elodie@x.example", "plain@y.example"]
    assert msg.date == datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


def test_mixed_plain_and_encoded_words_and_folding() -> None:
    raw = _raw(
        """
From: a@b.example
Subject: Re: =?utf-8?q?caf=C3=A9?= order
 is   ready
"""
    )
    assert parse_message(raw).subject == "Re: café order is ready"


def test_encoded_word_with_unknown_charset_does_not_raise() -> None:
    raw = _raw(
        """
From: =?x-unknown?q?Shop?= <a@b.example>
Subject: =?x-unknown?q?caf=C3=A9?=
"""
    )
    msg = parse_message(raw)
    assert msg.sender == "a@b.example"
    assert msg.subject == "café"  # falls back to UTF-8


def test_missing_date_and_message_id() -> None:
    msg = parse_message(_raw("From: a@b.example\nSubject: s"))
    assert msg.date == EPOCH
    assert msg.date.tzinfo is not None
    assert msg.message_id == ""
    assert msg.recipients == []


@pytest.mark.parametrize("date", ["not a date", "Thu, 32 Foo 2026 99:99:99", ""])
def test_unparseable_date_falls_back_to_epoch(date: str) -> None:
    assert parse_message(_raw(f"From: a@b.example\nDate: {date}")).date == EPOCH


def test_naive_date_becomes_utc() -> None:
    msg = parse_message(_raw("From: a@b.example\nDate: Thu, 02 Apr 2026 10:00:00 -0000"))
    assert msg.date == datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    assert msg.date.utcoffset() == timedelta(0)


def test_sender_header_used_without_from() -> None:
    assert parse_message(_raw("Sender: Bot <BOT@x.example>\nSubject: s")).sender == "bot@x.example"


def test_no_from_gives_empty_sender() -> None:
    msg = parse_message(_raw("Subject: hi"))
    assert msg.sender == ""
    assert msg.text == "hello\n"


# --------------------------------------------------------------------------------------------
# junk


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"just a line of text without any header",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR: binary",
        bytes(range(256)),
        b"\x00" * 64,
    ],
    ids=["empty", "blank", "no-headers", "png", "all-bytes", "nuls"],
)
def test_junk_raises_message_error(raw: bytes) -> None:
    with pytest.raises(MessageError):
        parse_message(raw)


def test_a_stray_nul_does_not_reject_the_message() -> None:
    msg = parse_message(b"From: a@b.example\x00\nSubject: nul in header block\n\nbody")
    assert (msg.sender, msg.subject, msg.text) == ("a@b.example", "nul in header block", "body")


@pytest.mark.parametrize("raw", ["From: a@b\n\nhi", None, 42], ids=["str", "none", "int"])
def test_non_bytes_raise_message_error(raw: object) -> None:
    with pytest.raises(MessageError):
        parse_message(raw)  # type: ignore[arg-type]


def test_bytearray_is_accepted() -> None:
    assert parse_message(bytearray(_raw("From: a@b.example\nSubject: ba"))).subject == "ba"


def test_message_error_is_value_error() -> None:
    assert issubclass(MessageError, ValueError)


def test_broken_mime_does_not_raise_other_errors() -> None:
    raw = _raw(
        """
From: a@b.example
Subject: broken
Content-Type: multipart/alternative
""",
        b"no boundary parameter at all\r\n",
    )
    msg = parse_message(raw)
    assert msg.subject == "broken"
    assert msg.html is None


def test_bad_base64_is_tolerated() -> None:
    raw = _raw(
        """
From: a@b.example
Subject: bad b64
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64
""",
        b"!!!not*base64###\r\n",
    )
    msg = parse_message(raw)
    assert isinstance(msg.html, str)


# --------------------------------------------------------------------------------------------
# the parse without the stdlib's copies: the very same tree, a bounded peak of memory

_HTML = b"<html><body><p>Order 12345: a pair of boots, \xe2\x82\xac 79.90</p>\n<p>Thanks</p></body></html>\n"
_BODIES = {
    "8bit": _HTML,
    "base64": base64.encodebytes(_HTML),
    "base64_spaces": base64.encodebytes(_HTML).replace(b"\n", b" \n"),
    "base64_unpadded": base64.encodebytes(_HTML + b"!").replace(b"=", b""),
    "base64_junk": b"PGh0bWw+*?" + base64.encodebytes(_HTML),
    "quoted-printable": b"<p>Order =E2=82=AC 79.90 a long line that is soft=\n broken</p>=3D\n",
    "uuencode": b"begin 644 x\n%:&5L;&\\*\n`\nend\n",
    "8bit_formfeed": b"<p>a\x0cb\x1dc\x0bd</p>\n",
    "8bit_one_long_line": b"<p>" + b"word " * 20_000 + b"</p>",
}


def _part(cte: str, ctype: str) -> bytes:
    name = cte.split("_")[0]
    return (
        f"Content-Type: {ctype}; charset=utf-8\nContent-Transfer-Encoding: {name}\n\n".encode() + _BODIES[cte]
    )


def _tree(msg: Message) -> list[tuple[object, ...]]:
    """Each part's headers, type, defects and transfer-decoded body, in walk order."""
    out: list[tuple[object, ...]] = []
    for p in msg.walk():
        body = None if p.is_multipart() else p.get_payload(decode=True)
        out.append((p.items(), p.get_content_type(), len(p.defects), body))
    return out


_SHAPES = {
    "html": b"Content-Type: text/html; charset=utf-8\n\n<p>Hi &amp; bye</p>\n",
    "qp": b"Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n=E2=9C=93 q\n\n",
    "attachment": b"Content-Type: text/html\nContent-Disposition: attachment\n\n<b>x</b>",
    "no headers": b"\nbare body\n",
    "no empty line": b"Content-Type: text/plain\nbody without a separator",
    "empty": b"",
    "outer boundary inside": b"Content-Type: text/plain\n\nbefore\n--BB\nafter\n",
    "boundary within a line": b"Content-Type: text/plain\n\nsee x--BB\nH: v\n\nafter\n--BBX\n",
    "rfc822": b"Content-Type: message/rfc822\n\nSubject: inner\nContent-Type: text/html\n\n<b>in</b>\n",
    "nested": b"Content-Type: multipart/alternative; boundary=CC\n\n--CC\nContent-Type: text/plain\n\nt\n"
    b"--CC\nContent-Type: text/html\n\n<p>h</p>\n\n--CC--\n",
    "nested, unclosed": b"Content-Type: multipart/related; boundary=CC\n\n--CC\n\nx\n\n",
}


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.tuples(st.sampled_from(sorted(_SHAPES)), st.sampled_from(["", " ", "\t", "X", "--", "\n--BB"])),
        max_size=4,
    ),
    preamble=st.sampled_from([b"", b"pre\n", b"--BB--\n"]),
    close=st.sampled_from([b"--BB--\n", b"--BB--", b"--BB-- \nepi\n", b""]),
    crlf=st.booleans(),
)
def test_a_multipart_cut_at_its_boundaries_gives_the_stdlib_tree(
    parts: list[tuple[str, str]], preamble: bytes, close: bytes, crlf: bool
) -> None:
    """Multipart bodies are cut at their boundary lines rather than fed line by line: whatever
    the shape (boundary lines with trailing blanks or junk, twice in a row, first closing or never
    closed; parts without headers, empty, nested, message/rfc822) the tree is the stdlib's."""
    head = b"From: shop@x.example\nContent-Type: multipart/mixed; boundary=BB\n\n" + preamble
    body = b"".join(b"--BB" + tail.encode() + b"\n" + _SHAPES[shape] + b"\n" for shape, tail in parts)
    raw = head + body + close
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    ours, theirs = _parse(raw), email.message_from_bytes(raw, policy=compat32)
    assert _tree(ours) == _tree(theirs)


@settings(max_examples=150, deadline=None)
@given(
    ctes=st.lists(st.sampled_from(sorted(_BODIES)), min_size=1, max_size=3),
    multipart=st.booleans(),
    ending=st.sampled_from(["\n", "\r\n", "\r", "mixed"]),
    envelope=st.booleans(),
    no_separator=st.booleans(),
)
def test_the_parse_gives_the_stdlib_tree_and_bodies(
    ctes: list[str], multipart: bool, ending: str, envelope: bool, no_separator: bool
) -> None:
    """``_parse`` and ``_take_body`` give what ``message_from_bytes`` and
    ``get_payload(decode=True)`` give, whatever the line endings, encodings and structure."""
    head = b"From shop@x.example Mon Jan  1 00:00:00 2024\n" if envelope else b""
    # str.splitlines would end a line at a form feed; the stdlib parser does not
    odd = b"x\x1c--BB" if "8bit_formfeed" in ctes else b""
    head += b"From: shop@x.example\nSubject: s\x0c" + odd + b"\n"
    if multipart:
        parts = b"".join(b"--BB\n" + _part(c, "text/html") + b"\n" for c in ctes)
        raw = head + b"Content-Type: multipart/alternative; boundary=BB\n\npre\n" + parts + b"--BB--\nepi\n"
    else:
        raw = head + _part(ctes[0], "text/plain")
        if no_separator:  # a body line where the header block should end
            raw = raw.replace(b"\n\n", b"\nnot a header line\n", 1)
    if ending == "mixed":
        raw = raw.replace(b"\n", b"\r\n", 2).replace(b"p>\n", b"p>\r")
    elif ending != "\n":
        raw = raw.replace(b"\n", ending.encode())
    ours, theirs = _parse(raw), email.message_from_bytes(raw, policy=compat32)
    assert _tree(ours) == _tree(theirs)
    for mine, stdlib in zip(ours.walk(), theirs.walk(), strict=True):
        if not mine.is_multipart():
            assert _take_body(mine) == stdlib.get_payload(decode=True)


_HEADER_LINES = [
    b"From: a@b.example",
    b"From a@b.example Mon Jan  1 00:00:00 2024",
    b"Subject:  hi ",
    b" folded",
    b"\tfolded",
    b":nameless",
    b"X-Empty:",
    b"X Spaced: v",
    b"\xc3\xa9: v",
    b"To: \xc3\xa9 <a@b.example>",
    b"A:\x0cb",
    b"not a field",
    b"",
]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(_HEADER_LINES), st.sampled_from([b"\n", b"\r\n", b"\r"])), max_size=6
    ),
    blank=st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_a_header_block_is_read_as_the_parser_reads_it(
    lines: list[tuple[bytes, bytes]], blank: bytes
) -> None:
    """A header block up to its empty line gives the headers-only parse's fields, envelope line,
    defects and payload, whatever its lines (folded, nameless, envelope, 8-bit, odd breaks)."""
    raw = b"".join(line + end for line, end in lines) + b"\n" + blank
    block = raw[: _BLANK_LINE.search(raw).end()]  # type: ignore[union-attr]
    ours, theirs = _header_block(block), _feed(block, headers_only=True)
    seen = [
        (m.items(), m.get_unixfrom(), [type(d) for d in m.defects], m.get_payload()) for m in (ours, theirs)
    ]
    assert seen[0] == seen[1]


_CONTENT_TYPES = [
    b"text/html; charset=utf-8",
    b'text/html; charset="UTF-8"',
    b"text/plain; format=flowed; charset=ISO-8859-1; delsp=yes",
    b"text/plain; charset*=us-ascii'en'utf-8",
    b"text/plain; charset*=utf-8''%55%54%46-8",
    b'text/plain; charset="utf-\\8"; x="a;b"',
    b"text/html; charset=",
    b"text/html; charset",
    b"text/html",
    b"text/html; charset=\xe9utf-8",
    b'text/html; CHARSET = "Windows-1252" ; charset=utf-8',
    b"text/html; x=" + b"y" * 300 + b"; charset=koi8-r",  # too long to be cached
]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([*_CONTENT_TYPES, None]), min_size=1, max_size=3),
    folded=st.booleans(),
)
def test_a_parts_charset_is_read_as_the_stdlib_reads_it(values: list[bytes | None], folded: bool) -> None:
    """The charset of a part's (first) Content-Type, cached by its value, is what
    ``get_content_charset`` reads from the part: quoted, RFC 2231, case, bare, missing, 8-bit."""
    fields = b"".join(
        b"Content-Type: " + (v.replace(b"; ", b";\r\n\t", 1) if folded else v) + b"\r\n"
        for v in values
        if v is not None
    )
    for _ in range(2):  # the second time from the cache
        part = _header_block(b"From: a@b.example\r\n" + fields + b"\r\n")
        assert _charset(part) == part.get_content_charset()


def _big(shape: str, size: int) -> bytes:
    head = b"From: shop@x.example\r\nSubject: big\r\nContent-Type: text/html; charset=utf-8\r\n"
    if shape == "one_line":
        return head + b"\r\n" + b"<p>" + b"word " * (size // 5) + b"</p>"
    lines = b"".join(b"<p>Item %d: a pair of walking boots</p>\r\n" % i for i in range(size // 40))
    if shape == "base64":
        return head + b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(lines)
    if shape == "multipart":
        part = b"--BB\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + lines + b"\r\n--BB--\r\n"
        multi = head.replace(b"text/html; charset=utf-8", b"multipart/alternative; boundary=BB")
        return multi + b"\r\n" + part
    return head + b"\r\n" + lines


@pytest.mark.parametrize("shape", ["one_line", "lines", "base64", "multipart"])
def test_parsing_a_big_message_holds_few_copies_of_it(shape: str) -> None:
    """The parse peaks at about two copies of a 4 MB message over it (the stdlib parse and decode
    took eight to ten: a whole-message str, a four-byte-a-character StringIO, the body's lines)."""
    raw = _big(shape, 4_000_000)
    tracemalloc.start()
    try:
        msg = parse_message(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert msg.html is not None and len(msg.html) > 3_000_000
    limit = 3.5 if shape == "multipart" else 2.5  # a part's body is still parsed line by line
    assert peak < limit * len(raw), f"{peak / len(raw):.1f} times the message"


# --------------------------------------------------------------------------------------------
# golden files (tests/golden/<name>.message.json, regenerate with tests/regen_golden.py)


@pytest.mark.parametrize("name", fixture_names())
def test_golden_message(name: str) -> None:
    assert_golden(name, "message", golden_message)


_ADDRESS_BITS = [
    "a",
    "B7",
    "_",
    "+",
    "-",
    ".",
    "@",
    "<",
    ">",
    " ",
    "\t",
    "\r\n ",
    "&",
    "'",
    '"',
    "(",
    ")",
    ",",
]
_ADDRESS_BITS += [";", ":", "[", "]", "\\", "é", "名", "\xa0", "\u3000", "x.y", "@d.example", "<a@b.example>"]


@settings(max_examples=500, deadline=None)
@given(
    name=st.sampled_from(["", "Name ", "O'Neil & Co ", "名前 ", "J. Doe ", '"Doe, J" ', "Doe, J ", "\xa0"]),
    local=st.sampled_from(["a", "a.b", "a..b", ".a", "a_b+c", "A-B"]),
    domain=st.sampled_from(["d.example", "D-x.ex", "d..e", "d.", "-d.e"]),
    brackets=st.sampled_from([("<", ">"), ("", ""), ("<", ""), ("<", "> "), ("<", ">x")]),
    noise=st.lists(st.sampled_from(_ADDRESS_BITS), max_size=8).map("".join),
)
def test_addresses_read_as_email_utils_reads_them(
    name: str, local: str, domain: str, brackets: tuple[str, str], noise: str
) -> None:
    """``From:`` and ``To:`` are read without the stdlib's address parser where they are one plain
    address; the addresses are always the ones it gives."""
    for header in (
        f"{name}{brackets[0]}{local}@{domain}{brackets[1]}",
        noise,
        f"{name}{noise}<{local}@{domain}>",
    ):
        assert _address(header) == email.utils.parseaddr(header)[1].strip().lower()
        for to in ([header], [header, "x@y.example"]):
            assert _recipients(to) == [a.lower() for _, a in email.utils.getaddresses(to) if a]
