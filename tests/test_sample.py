"""Messages prepared for learning (offline/sample.py): who read them, identifiers, why one is skipped."""

from __future__ import annotations

from email.message import EmailMessage

from helpers import bare_sample

from mailstencil.offline.sample import CONTENT_ID, Sample, prepare, prepare_checked


def _raw(
    *,
    sender: str | None = "orders@shop.example",
    to: str | None = "ann@mail.example, bob@mail.example",
    message_id: str | None = "<1@shop.example>",
    html: str | None = "<p>Your order 1042 is on its way.</p>",
    text: str | None = None,
    subject: str | None = "Your order",
) -> bytes:
    msg = EmailMessage()
    for header, value in (("From", sender), ("To", to), ("Message-ID", message_id), ("Subject", subject)):
        if value is not None:
            msg[header] = value
    msg["Date"] = "Mon, 02 Mar 2026 08:30:00 +0000"
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def test_a_prepared_message_keeps_its_sender_first_recipient_and_leaves() -> None:
    s = prepare("m.eml", _raw())
    assert s is not None
    assert (s.sender, s.recipient, s.message_id, s.subject) == (
        "orders@shop.example",
        "ann@mail.example",
        "<1@shop.example>",
        "Your order",
    )
    assert any("1042" in leaf.text for leaf in s.leaves) and "subject" in s.paths


def test_a_message_without_message_id_is_named_by_a_digest_of_its_content() -> None:
    a, again = prepare("a", _raw(message_id=None)), prepare("b", _raw(message_id=None))
    other = prepare("c", _raw(message_id=None, html="<p>Your order 1043 is on its way.</p>"))
    assert a is not None and again is not None and other is not None
    assert a.message_id.startswith(CONTENT_ID)
    assert a.message_id == again.message_id  # a re-delivered copy is the same message
    assert a.message_id != other.message_id


def test_the_reader_is_the_recipient_else_the_message_id() -> None:
    assert bare_sample(1, "ann@mail.example").reader == "ann@mail.example"
    nobody = prepare("m", _raw(to=None))
    assert nobody is not None and nobody.reader == "<1@shop.example>"  # each such message its own reader
    digest = prepare("m", _raw(to=None, message_id=None))
    assert digest is not None and digest.reader == ""  # a digest never counts as a reader of its own


def test_a_message_that_cannot_be_learned_from_says_why() -> None:
    assert prepare_checked("m", b"\x00\x01 not mail") == "not an RFC 822 message"
    assert prepare_checked("m", _raw(sender=None)) == "no sender address"
    assert prepare_checked("m", _raw(html="<p> </p>", subject=None)) == "no text"
    assert isinstance(prepare_checked("m", _raw(html="<p> </p>")), Sample)  # its Subject is text
    assert prepare_checked("m", _raw(), text_only=True) == "no text part"
    assert prepare("m", _raw(sender=None)) is None


def test_text_only_reads_the_text_part_of_a_message_with_both() -> None:
    both = _raw(text="Order 1042 shipped.", html="<p>Your order 1042 is on its way.</p>")
    full, text = prepare("m", both), prepare("m", both, text_only=True)
    assert full is not None and text is not None
    assert any("on its way" in leaf.text for leaf in full.leaves)
    assert not any("on its way" in leaf.text for leaf in text.leaves)
    assert any("shipped" in leaf.text for leaf in text.leaves)
