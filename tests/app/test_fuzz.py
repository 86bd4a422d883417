"""Fuzzing: our own generated messages, mutated the ways real mail goes wrong, through parsing,
extraction and the HTTP app. Nothing may raise but the parsers' own errors, nothing may answer 5xx.

Seeds come from our sample generator (mailstencil.offline.samplegen) and the service test corpus; the run is
bounded (``MAILSTENCIL_FUZZ_EXAMPLES``, default 120 examples, well under 30 s); set it higher
for a longer run.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from svc_helpers import RFC822

from mailstencil.offline.corpus import iter_raw_messages
from mailstencil.offline.samplegen import generate
from mailstencil.rules.apply import Extractor
from mailstencil.rules.dom import DomError, message_leaves
from mailstencil.rules.message import MessageError, parse_message
from mailstencil.rules.model import RuleSet

EXAMPLES = int(os.environ.get("MAILSTENCIL_FUZZ_EXAMPLES", "120"))
CHARSETS = [
    b"utf-7",
    b"punycode",
    b"idna",
    b"unicode_escape",
    b"rot13",
    b"x-unknown",
    b"utf-16",
    b"cp1252",
    b"",
]
ENCODINGS = [b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"7bit", b"garbage"]
ENDINGS = [b"\r", b"\n", b"\r\n", b"\n\r", b"\r\r\n"]


def _seeds(root: Path, corpus: dict[str, bytes]) -> list[bytes]:
    generate(root, messages_per_template=1, seed=11)
    raws = [raw for _, raw in iter_raw_messages([root])]
    rng = random.Random(5)
    return rng.sample(raws, min(40, len(raws))) + list(corpus.values())[::7]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, corpus: dict[str, bytes]) -> list[bytes]:
    return _seeds(tmp_path_factory.mktemp("fuzz"), corpus)


def _flip(raw: bytes, data: st.DataObject) -> bytes:
    out = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(out) - 1))
        out[pos] = data.draw(st.integers(0, 255))
    return bytes(out)


def _truncate(raw: bytes, data: st.DataObject) -> bytes:
    return raw[: data.draw(st.integers(0, len(raw)))]


def _duplicate_headers(raw: bytes, data: st.DataObject) -> bytes:
    head, sep, body = raw.partition(b"\n\n")
    lines = head.split(b"\n")
    line = data.draw(st.sampled_from(lines))
    return b"\n".join([line, *lines, line]) + sep + body


def _break_boundary(raw: bytes, data: st.DataObject) -> bytes:
    m = re.search(rb'boundary="?([^";\r\n]+)', raw)
    if m is None:
        return raw.replace(b"\n\n", b"\n\n--broken\n", 1)
    boundary = m.group(1)
    how = data.draw(st.sampled_from([b"", b"x", boundary[:-1], b"--"]))
    return raw.replace(b"--" + boundary, b"--" + how, data.draw(st.integers(1, 3)))


def _swap_charset(raw: bytes, data: st.DataObject) -> bytes:
    return re.sub(rb"(?i)charset=\"?[\w-]+\"?", b"charset=" + data.draw(st.sampled_from(CHARSETS)), raw)


def _swap_encoding(raw: bytes, data: st.DataObject) -> bytes:
    return re.sub(
        rb"(?i)Content-Transfer-Encoding: *[\w-]+",
        b"Content-Transfer-Encoding: " + data.draw(st.sampled_from(ENCODINGS)),
        raw,
    )


def _line_endings(raw: bytes, data: st.DataObject) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", data.draw(st.sampled_from(ENDINGS)))


MUTATIONS = [
    _flip,
    _truncate,
    _duplicate_headers,
    _break_boundary,
    _swap_charset,
    _swap_encoding,
    _line_endings,
]


def _mutated(seeds: list[bytes], data: st.DataObject) -> bytes:
    raw = data.draw(st.sampled_from(seeds))
    for mutate in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        if raw:
            raw = mutate(raw, data)
    return raw


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_mutated_mail_never_crashes(
    data: st.DataObject, seeds: list[bytes], ruleset: RuleSet, client: TestClient
) -> None:
    raw = _mutated(seeds, data)
    try:
        msg = parse_message(raw)
        leaves = message_leaves(msg.subject, msg.html, msg.text)
        json.dumps([msg.subject, msg.html, msg.text, [x.text for x in leaves]], ensure_ascii=False).encode()
        Extractor(ruleset).extract_parsed(msg)
    except (MessageError, DomError):
        pass
    r = client.post("/v1/extract", content=raw, headers=RFC822)
    assert r.status_code < 500, r.text
    r.json()
    good = seeds[0]
    batch = client.post("/v1/extract/batch", json=[base64.b64encode(m).decode() for m in (raw, good)])
    assert batch.status_code == 200, batch.text
    first, second = batch.json()["results"]
    assert first["status"] == r.status_code  # the same answer alone or in a batch
    alone = client.post("/v1/extract", content=good, headers=RFC822).json()
    assert second["status"] == 200 and second["result"] == alone  # a bad message hides nothing after it
