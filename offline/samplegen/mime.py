"""Build RFC 5322 messages with the stdlib ``email`` package."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from random import Random

from .context import Sender
from .pools import Person


def _charset(sender: Sender, *texts: str) -> str:
    """The sender's charset, or utf-8 when a message does not fit it (e.g. a Polish name in latin-1)."""
    try:
        for t in texts:
            t.encode(sender.charset)
    except UnicodeEncodeError:
        return "utf-8"
    return sender.charset


def message_id(rng: Random, domain: str) -> str:
    """A unique ``<uuid@domain>`` Message-ID drawn from ``rng``."""
    return f"<{uuid.UUID(int=rng.getrandbits(128), version=4)}@{domain}>"


def build_message(
    sender: Sender, to: Person, subject: str, when: datetime, msgid: str, text: str | None, html: str | None
) -> bytes:
    """Serialise one message: multipart/alternative, text/html only or text/plain only."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender.display, sender.address))
    msg["To"] = formataddr((to.full, to.email))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = msgid
    cte_text, cte_html = sender.cte
    charset = _charset(sender, *(t for t in (text, html) if t is not None))
    if text is not None:
        msg.set_content(text, subtype="plain", charset=charset, cte=cte_text)
        if html is not None:
            msg.add_alternative(html, subtype="html", charset=charset, cte=cte_html)
            # a boundary derived from the Message-ID keeps the output deterministic
            msg.set_boundary("=_alt_" + hashlib.sha1(msgid.encode()).hexdigest()[:24])
    elif html is not None:
        msg.set_content(html, subtype="html", charset=charset, cte=cte_html)
    return msg.as_bytes()
