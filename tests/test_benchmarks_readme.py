"""The README's speed section is the rendering of ``benchmarks/results/speed.json`` (no re-measuring)."""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.report import BEGIN, END, Figure, Results, load, readme_section, render

ROOT = Path(__file__).resolve().parents[1]


def test_readme_speed_section_is_the_stored_results() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(BEGIN) == 1 and readme.count(END) == 1
    assert readme_section(readme) == render(load(ROOT / "benchmarks" / "results" / "speed.json"))


def test_speed_md_is_the_stored_results() -> None:
    md = (ROOT / "benchmarks" / "results" / "speed.md").read_text(encoding="utf-8")
    assert md == "# Speed\n\n" + render(load(ROOT / "benchmarks" / "results" / "speed.json"))


def test_a_missed_goal_says_by_how_much() -> None:
    slow = Figure(section="s", name="rate", value=500, unit="req/s", goal=1000)
    late = Figure(section="s", name="start", value=3.0, unit="s", goal=2, better="lower")
    assert slow.verdict() == "misses: 0.50× the goal (500 req/s short)"
    assert late.verdict() == "misses: 1.50× the goal (1 s over)"
    assert Figure(section="s", name="x", value=2.0, unit="s", goal=2, better="lower").verdict() == "met"
    table = render(
        Results(
            command="c",
            date="d",
            machine="m",
            load_before=[1, 1, 1],
            load_after=[2, 2, 2],
            seconds=1,
            figures=[slow, late],
        )
    )
    assert "| rate | 500 req/s | ≥ 1,000 req/s | misses: 0.50× the goal (500 req/s short) |  |" in table


def test_a_synthetic_rule_set_copies_clusters_under_made_up_senders() -> None:
    from benchmarks.scale import as_copy, synth
    from mailstencil.rules.model import ClusterRules, FieldRule, RuleSet, Selector

    rule = FieldRule(field="order_number", ipath="subject", pattern=r"Order\s*(.*?)")
    base = RuleSet(
        clusters=[
            ClusterRules(
                cluster=f"orders@shop.example:{i}",
                sender="orders@shop.example",
                rules=[rule] * (i + 1),
                selectors=[Selector(ipath="p", pattern="Total")],
            )
            for i in range(3)
        ]
    )
    big = synth(base, 7)
    assert len(big.clusters) == 7 and len({c.cluster for c in big.clusters}) == 7
    assert [len(c.rules) for c in big.clusters] == [1, 2, 3, 1, 2, 3, 1]
    assert big.clusters[4].sender == "orders@s1.shop.example"
    assert big.clusters[4].cluster == "orders@s1.shop.example:1"
    assert big.clusters[6].rules[0].pattern != big.clusters[3].rules[0].pattern != rule.pattern
    assert (
        as_copy(b"From: Shop <orders@shop.example>\r\n\r\nx", 2)
        == b"From: Shop <orders@s2.shop.example>\r\n\r\nx"
    )
    copied = re.fullmatch(big.clusters[6].rules[0].pattern, "Order 1001")
    assert copied is not None and copied.group(1) == "1001"


def test_the_lexbor_walk_gives_the_leaves_the_lxml_walk_gives_on_a_tree_both_build_alike() -> None:
    from benchmarks.parsers import lexbor_leaves
    from mailstencil.rules.dom import html_leaves

    html = (
        "<html><head><title>t</title></head><body><div class='box wide'>Hello <b>Ann</b>, your"
        "<script>x()</script> order<table><tbody><tr><td class=price>$5.00</td><td>2</td></tr>"
        "<tr><td class=price>$7.50</td><td>1</td></tr></tbody></table>"
        "<a href='https://shop.example/o/1'>View</a> <a href='mailto:x@y'>mail</a></div>"
        "<p>Thanks</p><p> </p></body></html>"
    )
    ours = html_leaves(html)
    assert [leaf.text for leaf in ours][:3] == ["Hello", "Ann", ", your"]
    assert lexbor_leaves(html) == ours
    # where libxml2 and HTML5 build different trees (no tbody written), the paths differ
    bare = html.replace("<tbody>", "").replace("</tbody>", "")
    assert [x.text for x in lexbor_leaves(bare)] == [x.text for x in html_leaves(bare)]
    assert lexbor_leaves(bare) != html_leaves(bare)
