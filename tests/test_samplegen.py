"""Tests for the sample-corpus generator ``mailstencil.offline.samplegen``."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

import lxml.html
import pytest

from mailstencil.offline.samplegen import SENDERS, generate
from mailstencil.offline.samplegen.vocab import FIELD_KINDS, LINE_ITEM, is_url_field

FIELDS_JSON = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fields.json"
PER_TEMPLATE = 4


def _collapse(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("samplegen"), messages_per_template=PER_TEMPLATE, seed=7)


def _truth(corpus: Path) -> list[tuple[Path, dict[str, object]]]:
    out = []
    for truth in sorted(corpus.glob("*/truth.jsonl")):
        for line in truth.read_text(encoding="utf-8").splitlines():
            out.append((truth.parent, json.loads(line)))
    return out


def _parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_deterministic_for_seed(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", messages_per_template=2, seed=3)
    b = generate(tmp_path / "b", messages_per_template=2, seed=3)
    c = generate(tmp_path / "c", messages_per_template=2, seed=4)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_layout_and_line_counts(corpus: Path) -> None:
    sources = {s.source for s in SENDERS}
    assert {p.name for p in corpus.iterdir()} == sources
    for source in sources:
        emls = sorted((corpus / source / "messages").glob("*/*/*.eml"))
        lines = (corpus / source / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(emls) > 0
        files = {json.loads(line)["file"] for line in lines}
        assert files == {str(p.relative_to(corpus / source)) for p in emls}
    n_templates = sum(len(s.templates) for s in SENDERS)
    assert 40 <= n_templates <= 90
    for s in {s.source for s in SENDERS}:
        assert 2 <= sum(1 for x in SENDERS if x.source == s) <= 4


def test_messages_parse_and_headers(corpus: Path) -> None:
    ids: set[str] = set()
    for source_dir, rec in _truth(corpus):
        msg = _parse(source_dir / str(rec["file"]))
        assert msg["Message-ID"] == rec["message_id"]
        assert rec["message_id"] not in ids
        ids.add(str(rec["message_id"]))
        assert msg["From"].addresses[0].addr_spec == rec["sender"]
        assert msg["From"].addresses[0].display_name
        assert msg["To"].addresses[0].display_name
        assert parsedate_to_datetime(msg["Date"]).year == 2026
        assert msg["Subject"]
        assert msg.get_body(preferencelist=("html", "plain")) is not None
        assert str(rec["message_id"]).endswith("@" + str(rec["sender"]).split("@")[1] + ">")


def test_dates_increase_and_recipients_distinct(corpus: Path) -> None:
    for tdir in sorted(corpus.glob("*/messages/*/*")):
        msgs = [_parse(p) for p in sorted(tdir.glob("*.eml"))]
        dates = [parsedate_to_datetime(m["Date"]) for m in msgs]
        assert dates == sorted(dates)
        tos = [m["To"].addresses[0].addr_spec for m in msgs]
        assert len(set(tos)) == len(tos)


def _visible(msg: EmailMessage) -> tuple[str, set[str]]:
    html_part = msg.get_body(preferencelist=("html",))
    if html_part is None:
        text_part = msg.get_body(preferencelist=("plain",))
        assert text_part is not None
        text = text_part.get_content()
        return _collapse(text), set()
    doc = lxml.html.fromstring(html_part.get_content())
    for bad in doc.xpath("//style|//title|//head"):
        bad.drop_tree()
    hrefs = {a.get("href") for a in doc.iter("a") if a.get("href")}
    return _collapse(doc.text_content()), hrefs


def test_truth_values_visible(corpus: Path) -> None:
    for source_dir, rec in _truth(corpus):
        msg = _parse(source_dir / str(rec["file"]))
        text, hrefs = _visible(msg)
        subject = _collapse(str(msg["Subject"]))
        fields = rec["fields"]
        assert isinstance(fields, dict)
        for name, values in fields.items():
            assert name in FIELD_KINDS, name
            assert values and all(isinstance(v, str) and v == _collapse(v) and v for v in values)
            if FIELD_KINDS[name] != LINE_ITEM:
                assert len(values) == 1, (rec["file"], name)
            for v in values:
                if is_url_field(name):
                    assert v in hrefs or (not hrefs and v in text), (rec["file"], name, v)
                else:
                    assert v in text or v in subject, (rec["file"], name, v)


def test_line_items_aligned(corpus: Path) -> None:
    for _source_dir, rec in _truth(corpus):
        fields = rec["fields"]
        assert isinstance(fields, dict)
        groups = [
            ("item_name", "item_quantity", "item_price"),
            ("flight_number", "departure_airport", "arrival_airport", "departure_time", "arrival_time"),
        ]
        for group in groups:
            lengths = {len(fields[g]) for g in group if g in fields}
            assert len(lengths) <= 1, (rec["file"], group)


def test_no_constant_values_per_template(corpus: Path) -> None:
    by_template: dict[tuple[str, str], list[dict[str, list[str]]]] = {}
    for _source_dir, rec in _truth(corpus):
        by_template.setdefault((str(rec["sender"]), str(rec["template"])), []).append(rec["fields"])  # type: ignore[arg-type]
    for key, fields_list in by_template.items():
        names = set().union(*(f.keys() for f in fields_list))
        for name in names:
            values = [f.get(name) for f in fields_list]
            assert not all(v == values[0] for v in values), (key, name)


def test_field_names_match_shared_vocabulary() -> None:
    if not FIELDS_JSON.exists():
        pytest.skip("shared/corpus/fields.json not available")
    shared = json.loads(FIELDS_JSON.read_text(encoding="utf-8"))["fields"]
    assert {k: v["kind"] for k, v in shared.items()} == FIELD_KINDS


def test_field_coverage_and_languages(corpus: Path) -> None:
    seen: Counter[str] = Counter()
    for _source_dir, rec in _truth(corpus):
        seen.update(list(rec["fields"]))  # type: ignore[call-overload]
    assert set(seen) == set(FIELD_KINDS), set(FIELD_KINDS) - set(seen)
    langs: dict[str, set[str]] = {}
    for s in SENDERS:
        langs.setdefault(s.lang, set()).add(s.source)
    assert set(langs) == {"en", "de", "fr", "es", "ja"}
    for lang, sources in langs.items():
        assert len(sources) >= 2, lang
    assert {"shop", "market"} & langs["ja"] and {"shop", "market"} & langs["de"]


def test_mime_variety(corpus: Path) -> None:
    kinds: Counter[str] = Counter()
    ctes: Counter[str] = Counter()
    charsets: Counter[str] = Counter()
    for p in corpus.glob("*/messages/*/*/*.eml"):
        msg = _parse(p)
        kinds[msg.get_content_type()] += 1
        for part in msg.walk():
            if not part.is_multipart():
                ctes[str(part["Content-Transfer-Encoding"])] += 1
                charsets[str(part.get_content_charset())] += 1
    assert {"multipart/alternative", "text/html", "text/plain"} <= set(kinds)
    assert {"quoted-printable", "base64"} <= set(ctes)
    assert {"utf-8", "iso-8859-1"} <= set(charsets)


def test_opt_out_links_are_per_reader_and_never_a_field(corpus: Path) -> None:
    # some senders end every mail with a per-reader unsubscribe link: a variable URL the role
    # model must learn to leave unnamed
    seen: dict[str, set[str]] = {}
    for source_dir, rec in _truth(corpus):
        _, hrefs = _visible(_parse(source_dir / str(rec["file"])))
        links = {h for h in hrefs if "/email/unsubscribe?u=" in h}
        if links:
            seen.setdefault(str(rec["sender"]), set()).update(links)
        fields = rec["fields"]
        assert isinstance(fields, dict)
        assert not links & {v for vals in fields.values() for v in vals}
    assert len(seen) >= 5
    assert all(len(links) > 1 for links in seen.values())  # a token per message


def _senders_split(corpus: Path, field: str, kind: Callable[[str], bool]) -> tuple[int, int]:
    """How many senders show every value of ``field`` of one kind, and how many none of it."""
    by_sender: dict[str, set[bool]] = {}
    for _, rec in _truth(corpus):
        fields = rec["fields"]
        assert isinstance(fields, dict)
        for v in fields.get(field, []):
            by_sender.setdefault(str(rec["sender"]), set()).add(kind(v))
    kinds = list(by_sender.values())
    return sum(1 for k in kinds if k == {True}), sum(1 for k in kinds if k == {False})


def test_some_shops_show_the_order_date_with_its_time(corpus: Path) -> None:
    # a date with a time of day is not only a sign-in's event time: some shops (not all) stamp
    # the order with its time, so the role model cannot learn "has a time, so event_time"
    with_time, without = _senders_split(corpus, "order_date", lambda v: bool(re.search(r"\d:\d\d", v)))
    assert with_time >= 2 and without >= 2


def test_some_senders_name_the_actor_by_address(corpus: Path) -> None:
    # services without display names show who invited or commented by e-mail address: that is
    # still the actor (not the reader's account), and the role model must have seen it
    by_address, by_name = _senders_split(corpus, "actor_name", lambda v: "@" in v)
    assert by_address >= 2 and by_name >= 2
