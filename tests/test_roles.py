"""The role classifier: JSON round trip, abstaining, its gates, training over families, and the
sibling a slot's label names."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from helpers import BARE_FACTS, make_row_slot

from mailstencil.offline.features import TYPE_PREFIX, SlotFacts, SlotInput
from mailstencil.offline.roles import NONE, RoleModel, RoleModelFile, train_model

_TOTAL = ["bias", "b0:total", "dt:money", "lxb0:order_total"]


_NAME = ["bias", "ib:hello", "dt:person", "lxib:recipient_name"]


_NOISE = ["bias", "b0:footer", "dt:sentence"]


def _bare(feats: list[list[str]]) -> list[SlotFacts]:
    """The facts of hand-made slots that no gate speaks on."""
    return [BARE_FACTS] * len(feats)


def _data() -> tuple[list[list[str]], list[str], list[SlotFacts]]:
    feats, labels = [], []
    for k in range(12):
        feats += [_TOTAL + [f"len:{k % 3}"], _NAME + [f"len:{k % 3}"], _NOISE + [f"len:{k % 3}"]]
        labels += ["order_total", "recipient_name", NONE]
    return feats, labels, _bare(feats)


def _train(slots: list[SlotInput], labels: list[str]) -> RoleModel:
    """A model trained on slots' features and facts."""
    return train_model([s.features for s in slots], labels, [s.facts for s in slots])


def test_json_round_trip_gives_identical_predictions(tmp_path: Path) -> None:
    feats, labels, facts = _data()
    for kind in ("lr", "sgd"):
        model = train_model(feats, labels, facts, kind=kind, threshold=0.7)
        path = tmp_path / f"roles-{kind}.json"
        model.save(path)
        assert json.loads(path.read_text())["format"].startswith("mailstencil.roles/")
        loaded = RoleModel.load(path)
        assert loaded.threshold == 0.7
        assert loaded.classes == model.classes
        for f in feats[:3] + [["bias"], ["b0:total", "ib:hello"]]:
            a, b = model.predict(f, BARE_FACTS), loaded.predict(f, BARE_FACTS)
            assert a[0] == b[0]
            assert abs(a[1] - b[1]) < 1e-12


def test_predicts_learned_fields_confidently() -> None:
    model = train_model(*_data())
    assert model.predict(_TOTAL, BARE_FACTS)[0] == "order_total"
    assert model.predict(_NAME, BARE_FACTS)[0] == "recipient_name"
    assert model.predict(_NOISE, BARE_FACTS)[0] == NONE
    assert model.predict(_TOTAL, BARE_FACTS)[1] >= model.threshold


def test_ambiguous_context_falls_below_the_abstain_threshold() -> None:
    model = train_model(*_data(), threshold=0.5)
    # evidence for two fields at once: the best one must not be confident
    mixed = ["bias", "b0:total", "dt:money", "ib:hello", "dt:person"]
    _, p_mixed = model.predict(mixed, BARE_FACTS)
    _, p_clear = model.predict(_TOTAL, BARE_FACTS)
    assert p_mixed < p_clear
    assert p_mixed < 0.9
    # the threshold is stored with the model and is what callers compare against
    strict = train_model(*_data(), threshold=0.999)
    assert strict.threshold == 0.999
    assert strict.predict(mixed, BARE_FACTS)[1] < strict.threshold


def test_binary_model_probabilities_are_the_logistic_ones() -> None:
    feats = [["bias", "a"]] * 10 + [["bias", "b"]] * 10
    labels = ["x"] * 10 + [NONE] * 10
    model = train_model(feats, labels, _bare(feats))
    p_a = dict(zip(model.classes, model.proba(["bias", "a"]), strict=True))
    assert p_a["x"] > 0.5 > p_a[NONE]
    assert abs(sum(p_a.values()) - 1.0) < 1e-9


def _typed(label_feats: list[str], tc: str, period: str | None = None) -> SlotInput:
    """A hand-made slot of value class ``tc`` (its dates in ``period``): features and facts."""
    return SlotInput([*label_feats, TYPE_PREFIX + tc], replace(BARE_FACTS, value_class=tc, period=period))


def test_a_field_is_never_given_to_a_slot_of_a_value_class_it_was_not_seen_with() -> None:
    slots = [_typed(_TOTAL, "money"), _typed(_NAME, "person"), _typed(_NOISE, "sentence")] * 6
    slots += [_typed(_NAME, "none")] * 2  # names come untyped too
    labels = ["order_total", "recipient_name", NONE] * 6 + ["recipient_name"] * 2
    model = _train(slots, labels)
    assert model.spec.types["order_total"] == [TYPE_PREFIX + "money"]
    assert model.predict(*_typed(_TOTAL, "money"))[0] == "order_total"
    # "Total:" before a date: never an amount, whatever the label says
    assert model.predict(*_typed(_TOTAL, "date"))[0] != "order_total"
    # a strongly typed value (a date) is no name; a weakly typed one (a code) may be
    assert model.predict(*_typed(_NAME, "date"))[0] != "recipient_name"
    assert model.predict(*_typed(_NAME, "code"))[0] == "recipient_name"
    # the types survive the JSON round trip
    assert RoleModel(type(model.spec).model_validate_json(model.spec.model_dump_json())).spec.types == (
        model.spec.types
    )


def test_families_average_fits_that_each_leave_one_family_out() -> None:
    # three template families label totals with their own word next to a shared lexicon hit;
    # only one family has tracking numbers. Averaged leave-one-family-out fits trust a word of
    # one family less than a plain fit does, and still know every field
    feats: list[list[str]] = []
    labels: list[str] = []
    groups: list[str | None] = []
    for fam in ("a", "b", "c"):
        for k in range(8):
            feats += [["bias", "lxb0:order_total", f"b0:word{fam}", f"len:{k % 2}"], _NOISE + [f"w:{fam}"]]
            labels += ["order_total", NONE]
            groups += [fam, fam]
    for _ in range(8):
        feats.append(["bias", "lxb0:tracking_number", "dt:tracking"])
        labels.append("tracking_number")
        groups.append("c")
    feats += [_NAME] * 8  # our own sample: in every fit
    labels += ["recipient_name"] * 8
    groups += [None] * 8
    plain = train_model(feats, labels, _bare(feats))
    bagged = train_model(feats, labels, _bare(feats), groups=groups)
    assert set(bagged.classes) == set(plain.classes)
    only_a = ["bias", "b0:worda"]
    p_plain = dict(zip(plain.classes, plain.proba(only_a), strict=True))["order_total"]
    p_bagged = dict(zip(bagged.classes, bagged.proba(only_a), strict=True))["order_total"]
    assert p_bagged < p_plain
    assert bagged.predict(["bias", "lxb0:order_total"], BARE_FACTS)[0] == "order_total"
    assert bagged.predict(["bias", "lxb0:tracking_number", "dt:tracking"], BARE_FACTS)[0] == "tracking_number"
    assert bagged.predict(_NAME, BARE_FACTS)[0] == "recipient_name"
    # one family, or none named: a plain fit
    assert train_model(feats, labels, _bare(feats), groups=["a"] * len(labels)).spec == plain.spec


def test_a_slot_with_several_values_per_message_names_only_line_item_fields() -> None:
    multi = replace(BARE_FACTS, multi=True)
    price = SlotInput(["bias", "b0:price", "dt:money", "multi"], multi)
    slots = [SlotInput(_TOTAL, BARE_FACTS), price, SlotInput(_NOISE, BARE_FACTS)] * 8
    labels = ["order_total", "item_price", NONE] * 8
    model = _train(slots, labels)
    assert model.predict(_TOTAL, BARE_FACTS)[0] == "order_total"
    assert model.predict([*_TOTAL, "multi"], multi)[0] in ("item_price", NONE)


def test_train_roles_is_one_command(sample_dir: Path, tmp_path: Path) -> None:
    # the command the README and scripts/train-roles.sh run: labelled corpora in, a JSON model
    # out, with leave-one-family-out averaging over the sources named by --families
    from mailstencil.cli import main

    out = tmp_path / "roles.json"
    root = str(sample_dir)
    assert main(["train-roles", "--truth", root, "--families", root, root, "--out", str(out)]) == 0
    model = RoleModel.load(out)
    assert {"order_number", "order_total", "tracking_number", "checkin_date"} <= set(model.classes)
    assert model.spec.trained_on[NONE] > 0
    assert model.spec.types


def test_a_line_item_field_keeps_the_row_group_of_the_item_table() -> None:
    # two groups of repeated rows: the items (name, quantity, price) and the payments of a
    # refund; "item_name" predicted in both, more confidently for the payment rows, belongs to
    # the group where quantity and price are named too
    from mailstencil.offline.learn import _item_tables

    name = make_row_slot([["Woollen Winter Scarf", "Canvas Tote Bag"], ["Enamel Mug"]], 0.40)
    qty = make_row_slot([["1", "2"], ["3"]], 0.42)
    price = make_row_slot([["$10.00", "$4.00"], ["$7.50"]], 0.44)
    payment = make_row_slot([["Visa (ending in 4242)", "Gift card"], ["Cash on delivery"]], 0.80)
    payment.anchor = 9
    named = [
        (0.94, 3, payment, "item_name"),
        (0.87, 0, name, "item_name"),
        (0.90, 1, qty, "item_quantity"),
        (0.91, 2, price, "item_price"),
    ]
    tables = _item_tables(named)
    assert tables["item_name"] == (name.anchor, name.row_depth) != (payment.anchor, payment.row_depth)
    assert tables["item_price"] == tables["item_quantity"] == tables["item_name"]
    # alone, a field keeps its most confident group
    assert _item_tables([(0.94, 3, payment, "item_name"), (0.87, 0, name, "item_name")])["item_name"] == (
        9,
        2,
    )


def test_a_family_that_holds_every_named_slot_is_never_left_out() -> None:
    # leaving family "a" out would leave one class; its fit is skipped, not an error
    feats = [_TOTAL] * 6 + [_NOISE] * 6 + [_NOISE] * 6
    labels = ["order_total"] * 6 + [NONE] * 12
    groups: list[str | None] = ["a"] * 12 + ["b"] * 6
    model = train_model(feats, labels, _bare(feats), groups=groups)
    assert model.predict(_TOTAL, BARE_FACTS)[0] == "order_total"


def test_when_dates_fall_is_evidence_not_a_veto() -> None:
    # sign-in times fall on the day of the mail, due dates weeks ahead: the period tells two
    # dates of one label apart, but a label that names the field wins over a period it was never
    # seen in (a period gate cost recall on unseen families and gained no precision)
    date = ["bias", "lxb0:date"]
    slots = [_dated(date, "now")] * 6 + [_typed(_NOISE, "sentence")] * 6 + [_dated(date, "soon")] * 6
    slots += [_dated(["bias", "lxb0:event_time"], "now")] * 6
    labels = ["event_time"] * 6 + [NONE] * 6 + ["due_date"] * 6 + ["event_time"] * 6
    model = _train(slots, labels)
    assert model.predict(*_dated(date, "now"))[0] == "event_time"
    assert model.predict(*_dated(date, "soon"))[0] == "due_date"
    assert model.predict(*_dated(["bias", "lxb0:event_time"], "later"))[0] == "event_time"


def _dated(label_feats: list[str], period: str) -> SlotInput:
    """A hand-made slot of dates that fall in ``period``."""
    return _typed([*label_feats, f"when:{period}"], "date", period=period)


def test_training_on_generic_views_names_a_slot_whose_words_are_new() -> None:
    # each field's slots come with their template's words; a new sender's slot shows only what
    # they mean (the lexicon field, the type): the generic views teach the model to name it
    feats, labels = [], []
    for k in range(30):
        feats.append([f"ib:word{k % 3}", "lxib:order_number", "tc:code", "bias"])
        labels.append("order_number")
        feats.append([f"ib:other{k % 3}", f"b0:text{k % 3}", "tc:code", "bias"])
        labels.append(NONE)
    new = ["ib:unseen", "lxib:order_number", "tc:code", "bias"]
    with_views = train_model(feats, labels, _bare(feats), threshold=0.0).proba(new)
    without = train_model(feats, labels, _bare(feats), threshold=0.0, generic=False).proba(new)
    k = train_model(feats, labels, _bare(feats)).classes.index("order_number")
    assert with_views[k] > without[k]


def test_a_stored_model_file_gates_by_the_facts() -> None:
    # the JSON a model is stored as, with intercepts alone (order_total first, then the name, then
    # the price): what is predicted is what the gates leave
    stored = {
        "format": "mailstencil.roles/1",
        "n_features": 16,
        "classes": ["item_price", NONE, "order_total", "recipient_name"],
        "intercept": [1.0, 0.0, 3.0, 2.0],
        "weights": {},
        "types": {
            "order_total": ["tc:money"],
            "item_price": ["tc:money"],
            "recipient_name": ["tc:none", "tc:person"],
        },
    }
    model = RoleModel(RoleModelFile.model_validate_json(json.dumps(stored)))
    money = SlotFacts(value_class="money", variability=4, period=None, multi=False)
    assert model.predict([], money)[0] == "order_total"
    # a strongly typed value names only fields seen with its class: a date is neither amount nor name
    assert model.predict([], replace(money, value_class="date"))[0] == NONE
    # a weakly typed one (a code) names no field seen only with strong classes, but may name a name
    assert model.predict([], replace(money, value_class="code"))[0] == "recipient_name"
    # how much the values vary gates nothing (it is a feature): no veto learned from a few slots
    assert model.predict([], replace(money, variability=0))[0] == "order_total"
    # several values per message: only a line-item field
    assert model.predict([], replace(money, multi=True))[0] == "item_price"
    # no types stored (a model trained before them): the value class gates nothing
    untyped = RoleModel(RoleModelFile.model_validate_json(json.dumps({**stored, "types": {}})))
    assert untyped.predict([], replace(money, value_class="date"))[0] == "order_total"
