"""Word lists kept as JSON data: each file reads, and a slip in a list fails on loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from mailstencil.offline.lexicon import LEXICON
from mailstencil.offline.names import GIVEN_NAMES
from mailstencil.rules.dictionaries import value_types
from mailstencil.rules.vocabulary import FIELDS
from mailstencil.rules.wordlists import Words, read_data


class _List(BaseModel):
    words: Words


@pytest.mark.parametrize(
    "body",
    [
        '{"words": []}',
        '{"words": ["ups", "UPS"]}',
        '{"words": ["dhl", "dhl"]}',
        '{"words": [" dhl"]}',
        '{"words": [""]}',
        '{"words": "dhl"}',
    ],
)
def test_a_slip_in_a_word_list_fails_on_loading(tmp_path: Path, body: str) -> None:
    path = tmp_path / "words.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValidationError):
        read_data(path, _List)


def test_a_word_list_reads_in_its_order(tmp_path: Path) -> None:
    path = tmp_path / "words.json"
    path.write_text('{"words": ["zulu", "ärger", "日本郵便"]}', encoding="utf-8")
    assert read_data(path, _List).words == ("zulu", "ärger", "日本郵便")


def test_every_lexicon_entry_is_a_field_or_the_mails_machinery() -> None:
    assert set(LEXICON) - set(FIELDS) == {"boilerplate"}
    assert list(LEXICON)[:3] == ["order_number", "order_date", "order_total"]  # the file's order


def test_the_data_files_are_read_by_the_modules_that_match_them() -> None:
    assert "gesamtbetrag" in LEXICON["order_total"]
    assert {"leon", "jürgen"} <= GIVEN_NAMES and "jan" not in GIVEN_NAMES
    assert "carrier" in value_types("DHL Express") and "carrier" not in value_types("Acme parcel")
    assert "device" in value_types("Firefox on Mac OS") and "device" not in value_types("Sofa")
