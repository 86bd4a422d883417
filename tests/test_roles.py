"""The role classifier: JSON round trip, abstaining, and features free of the slot's values."""

from __future__ import annotations

import json
from pathlib import Path

from offline.features import slot_features
from offline.induce import Slot
from offline.roles import NONE, RoleModel, train_model
from offline.tokalign import align_values
from rules.dictionaries import column_types

_TOTAL = ["bias", "b0:total", "dt:money", "lxb0:order_total"]
_NAME = ["bias", "ib:hello", "dt:person", "lxib:recipient_name"]
_NOISE = ["bias", "b0:footer", "dt:sentence"]


def _data() -> tuple[list[list[str]], list[str]]:
    feats, labels = [], []
    for k in range(12):
        feats += [_TOTAL + [f"len:{k % 3}"], _NAME + [f"len:{k % 3}"], _NOISE + [f"len:{k % 3}"]]
        labels += ["order_total", "recipient_name", NONE]
    return feats, labels


def test_json_round_trip_gives_identical_predictions(tmp_path: Path) -> None:
    feats, labels = _data()
    for kind in ("lr", "sgd"):
        model = train_model(feats, labels, kind=kind, threshold=0.7)
        path = tmp_path / f"roles-{kind}.json"
        model.save(path)
        assert json.loads(path.read_text())["format"].startswith("mailstencil.roles/")
        loaded = RoleModel.load(path)
        assert loaded.threshold == 0.7
        assert loaded.classes == model.classes
        for f in feats[:3] + [["bias"], ["b0:total", "ib:hello"]]:
            a, b = model.predict(f), loaded.predict(f)
            assert a[0] == b[0]
            assert abs(a[1] - b[1]) < 1e-12


def test_predicts_learned_fields_confidently() -> None:
    model = train_model(*_data())
    assert model.predict(_TOTAL)[0] == "order_total"
    assert model.predict(_NAME)[0] == "recipient_name"
    assert model.predict(_NOISE)[0] == NONE
    assert model.predict(_TOTAL)[1] >= model.threshold


def test_ambiguous_context_falls_below_the_abstain_threshold() -> None:
    model = train_model(*_data(), threshold=0.5)
    # evidence for two fields at once: the best one must not be confident
    mixed = ["bias", "b0:total", "dt:money", "ib:hello", "dt:person"]
    _, p_mixed = model.predict(mixed)
    _, p_clear = model.predict(_TOTAL)
    assert p_mixed < p_clear
    assert p_mixed < 0.9
    # the threshold is stored with the model and is what callers compare against
    strict = train_model(*_data(), threshold=0.999)
    assert strict.threshold == 0.999
    assert strict.predict(mixed)[1] < strict.threshold


def test_binary_model_probabilities_are_the_logistic_ones() -> None:
    feats = [["bias", "a"]] * 10 + [["bias", "b"]] * 10
    labels = ["x"] * 10 + [NONE] * 10
    model = train_model(feats, labels)
    p_a = dict(zip(model.classes, model.proba(["bias", "a"]), strict=True))
    assert p_a["x"] > 0.5 > p_a[NONE]
    assert abs(sum(p_a.values()) - 1.0) < 1e-9


def _slot(values: list[str], before: list[str]) -> Slot:
    aligned = align_values(values)
    assert aligned is not None
    template, parsed = aligned
    gap = template.gaps[0]
    gi = template.items.index(gap)
    rows = [[str(g[gap])] for g in parsed if g and g[gap]]
    return Slot(
        anchor=0,
        ipath="html/body/table/tr/td",
        mode="ordinal",
        ordinal=0,
        selector=-1,
        row_depth=0,
        row_rel="",
        xpath="/html/body/table/tr[2]/td[2]",
        kind="text",
        template=template,
        gap=gap,
        values=rows,
        dtypes=column_types(v for r in rows for v in r),
        position=0.5,
        before=before,
        after=["Questions? Reply to this mail"],
        inline_before=" ".join(str(t) for t in template.items[:gi] if isinstance(t, str)),
        inline_after="",
    )


def test_features_contain_no_literal_value_of_the_slot() -> None:
    values = ["Total: Zyxwq Plumbs 7731", "Total: Qorvel Atrium 5519", "Total: Vexmund Oaks 2208"]
    slot = _slot(values, ["Order summary", "Your order"])
    secrets = [v for row in slot.values for v in row]
    assert secrets
    feats = slot_features(slot, frozenset({"your", "order"}), frozenset({"order", "summary"}))
    blob = "\n".join(feats).lower()
    for value in secrets:
        for token in value.lower().split():
            assert token not in blob, f"feature leaks the value token {token!r}"
    # the label around the slot is used (so the test would notice if nothing was)
    assert any("total" in f for f in feats)
