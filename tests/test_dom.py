"""mailstencil.rules.dom: HTML / text bodies to ordered leaves with indexed and index-free paths (real
lxml)."""

from __future__ import annotations

import dataclasses
import time
import tracemalloc

import lxml.html
import pytest
from helpers import GOLDEN, KNOWN_BAD_LEAVES, assert_golden, fixture_names, golden_leaves

from mailstencil.rules.dom import SUBJECT, DomError, Leaf, html_leaves, message_leaves, text_leaves
from mailstencil.rules.limits import DEFAULT_LIMITS
from mailstencil.rules.text import normalize_value

PAGE = """<!DOCTYPE html>
<html><head><title>Receipt</title><style>p { color: red }</style><script>var a = "<p>x</p>";</script></head>
<body>
<div class="outer wide"><p class="hello">Hi <b>Ada</b>, your order <i>#4401</i> shipped.</p>
<table class="kv"><tr><td class="k">Total</td><td class="v">$12.00</td></tr>
<tr><td class="k">Paid</td><td class="v">Visa</td></tr></table>
<!-- a comment that must not show -->
<script>document.write("no")</script>after script
<a href="https://shop.example/o/4401">Track</a>
<a href="http://shop.example/help">Help</a>
<a href="mailto:help@shop.example">Mail</a><a href="/relative">Rel</a><a href="javascript:void(0)">JS</a>
<noscript>enable js</noscript><template><p>tpl</p></template>
</div>
<div><p>second div</p></div>
</body></html>
"""


def _texts(leaves: list[Leaf]) -> list[str]:
    return [x.text for x in leaves]


def test_leaf_order_paths_tails_and_hrefs() -> None:
    leaves = html_leaves(PAGE)
    got = [(x.kind, x.ipath, x.xpath, x.text) for x in leaves]
    b = "/html/body[1]"
    assert got == [
        ("text", "html/body/div.outer/p.hello", f"{b}/div[1]/p[1]/text()[1]", "Hi"),
        ("text", "html/body/div.outer/p.hello/b", f"{b}/div[1]/p[1]/b[1]/text()[1]", "Ada"),
        ("text", "html/body/div.outer/p.hello", f"{b}/div[1]/p[1]/text()[2]", ", your order"),
        ("text", "html/body/div.outer/p.hello/i", f"{b}/div[1]/p[1]/i[1]/text()[1]", "#4401"),
        ("text", "html/body/div.outer/p.hello", f"{b}/div[1]/p[1]/text()[3]", "shipped."),
        (
            "text",
            "html/body/div.outer/table.kv/tr/td.k",
            f"{b}/div[1]/table[1]/tr[1]/td[1]/text()[1]",
            "Total",
        ),
        (
            "text",
            "html/body/div.outer/table.kv/tr/td.v",
            f"{b}/div[1]/table[1]/tr[1]/td[2]/text()[1]",
            "$12.00",
        ),
        (
            "text",
            "html/body/div.outer/table.kv/tr/td.k",
            f"{b}/div[1]/table[1]/tr[2]/td[1]/text()[1]",
            "Paid",
        ),
        (
            "text",
            "html/body/div.outer/table.kv/tr/td.v",
            f"{b}/div[1]/table[1]/tr[2]/td[2]/text()[1]",
            "Visa",
        ),
        ("text", "html/body/div.outer", f"{b}/div[1]/text()[3]", "after script"),
        ("href", "html/body/div.outer/a/@href", f"{b}/div[1]/a[1]/@href", "https://shop.example/o/4401"),
        ("text", "html/body/div.outer/a", f"{b}/div[1]/a[1]/text()[1]", "Track"),
        ("href", "html/body/div.outer/a/@href", f"{b}/div[1]/a[2]/@href", "http://shop.example/help"),
        ("text", "html/body/div.outer/a", f"{b}/div[1]/a[2]/text()[1]", "Help"),
        ("text", "html/body/div.outer/a", f"{b}/div[1]/a[3]/text()[1]", "Mail"),
        ("text", "html/body/div.outer/a", f"{b}/div[1]/a[4]/text()[1]", "Rel"),
        ("text", "html/body/div.outer/a", f"{b}/div[1]/a[5]/text()[1]", "JS"),
        ("text", "html/body/div/p", f"{b}/div[2]/p[1]/text()[1]", "second div"),
    ]


def test_skipped_content_never_appears() -> None:
    text = " ".join(_texts(html_leaves(PAGE)))
    for hidden in ("Receipt", "color", "var a", "document.write", "comment", "enable js", "tpl", "mailto"):
        assert hidden not in text


def test_ipath_is_index_free_and_uses_first_class_only() -> None:
    leaves = html_leaves(
        '<div class="  a  b c"><span class="x">1</span><span class="y z">2</span><span>3</span></div>'
    )
    assert [x.ipath for x in leaves] == [
        "html/body/div.a/span.x",
        "html/body/div.a/span.y",
        "html/body/div.a/span",
    ]
    assert [x.xpath for x in leaves] == [
        "/html/body[1]/div[1]/span[1]/text()[1]",
        "/html/body[1]/div[1]/span[2]/text()[1]",
        "/html/body[1]/div[1]/span[3]/text()[1]",
    ]


def test_empty_class_attribute_is_ignored() -> None:
    leaves = html_leaves('<p class="">x</p><p class="   ">y</p>')
    assert [x.ipath for x in leaves] == ["html/body/p", "html/body/p"]


def test_sibling_indices_count_per_tag() -> None:
    leaves = html_leaves("<div><p>a</p><span>b</span><p>c</p><span>d</span></div>")
    assert [x.xpath.split("/")[-2] for x in leaves] == ["p[1]", "span[1]", "p[2]", "span[2]"]


def test_entities_and_whitespace_collapse() -> None:
    leaves = html_leaves(
        "<p>  Fish&nbsp;&amp;&nbsp;Chips\n\t  &lt;b&gt; &eacute;t&#233; &#x20AC;5 </p><p>&nbsp;&nbsp;</p>"
    )
    assert _texts(leaves) == ["Fish & Chips <b> été €5"]


def test_whitespace_only_text_and_tails_are_not_leaves() -> None:
    leaves = html_leaves("<div>\n  <p>a</p>\n  <p>b</p>\n</div>")
    assert _texts(leaves) == ["a", "b"]
    assert [x.xpath for x in leaves] == [
        "/html/body[1]/div[1]/p[1]/text()[1]",
        "/html/body[1]/div[1]/p[2]/text()[1]",
    ]


def test_br_splits_text_into_numbered_text_nodes() -> None:
    leaves = html_leaves("<td>Jane Doe<br>12 Elm St<br/>Springfield</td>")
    assert _texts(leaves) == ["Jane Doe", "12 Elm St", "Springfield"]
    assert [x.xpath.rsplit("/", 1)[1] for x in leaves] == ["text()[1]", "text()[2]", "text()[3]"]
    assert len({x.ipath for x in leaves}) == 1


def test_comment_removed_text_merges() -> None:
    assert _texts(html_leaves("<p>Tot<!-- x -->al</p>")) == ["Total"]


def test_href_whitespace_inside_is_stripped_and_only_http_schemes() -> None:
    leaves = html_leaves(
        '<a href="https://a.example/x ">a</a><a href="ftp://f.example">f</a><a href="#top">t</a><a>none</a>'
    )
    assert [(x.kind, x.text) for x in leaves] == [
        ("href", "https://a.example/x"),
        ("text", "a"),
        ("text", "f"),
        ("text", "t"),
        ("text", "none"),
    ]


@pytest.mark.parametrize("href", ["  https://a.example/x", "HTTPS://A.EXAMPLE/X", "Http://a.example/x"])
def test_href_with_leading_space_or_upper_case_scheme(href: str) -> None:
    leaves = html_leaves(f'<a href="{href}">go</a>')
    assert [x.kind for x in leaves] == ["href", "text"]
    assert leaves[0].text == href.strip()


def test_empty_and_blank_input() -> None:
    assert html_leaves("") == []
    assert html_leaves("   \n\t ") == []
    assert html_leaves(b"") == []


def test_bytes_input_equals_str_input_for_ascii() -> None:
    html = "<p class='q'>plain ascii</p>"
    assert html_leaves(html.encode()) == html_leaves(html)


def test_fragment_without_html_or_body_gets_them() -> None:
    assert html_leaves("just text") == [Leaf("html/body", "/html/body[1]/text()[1]", "just text", "text")]


def test_non_ascii_with_meta_charset_utf8() -> None:
    html = '<html><head><meta charset="utf-8"></head><body><p>Grüße, 東京 ¥1,200 — ok</p></body></html>'
    assert _texts(html_leaves(html)) == ["Grüße, 東京 ¥1,200 — ok"]


def test_non_ascii_without_meta_charset() -> None:
    assert _texts(html_leaves("<p>für 12,50 € 東京</p>")) == ["für 12,50 € 東京"]


def test_str_with_stale_meta_charset() -> None:
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
    html += "<body><p>Grüße</p></body></html>"
    assert _texts(html_leaves(html)) == ["Grüße"]


@pytest.mark.parametrize(
    "html",
    [
        '<div><p>a<b>b</b>c<br>d</p><ul><li>x</li><li>y<a href="https://z.example">z</a></li></ul></div>',
        "<table><tr><td>\n  <b>Label</b>\n  value\n</td></tr></table>",
    ],
    ids=["compact markup", "blank text nodes"],
)
def test_xpath_selects_the_leaf_in_lxml(html: str) -> None:
    root = lxml.html.document_fromstring(html)
    for leaf in html_leaves(html):
        hits = root.getroottree().xpath(leaf.xpath)
        assert [normalize_value(str(h)) for h in hits] == [leaf.text], leaf


# --------------------------------------------------------------------------------------------
# pathological input


def test_5000_nested_divs_are_refused_quickly_not_crashed_on() -> None:
    """Past the depth limit the walk stops with a DomError (not a RecursionError), fast."""
    html = "<div>" * 5000 + "deep" + "</div>" * 5000
    t0 = time.perf_counter()
    with pytest.raises(DomError, match=f"nested deeper than {DEFAULT_LIMITS.depth}"):
        html_leaves(html)
    assert time.perf_counter() - t0 < 2.0


def test_moderate_nesting_keeps_all_text() -> None:
    html = "<p>before</p>" + "<div>" * 200 + "deep" + "</div>" * 200 + "<p>after</p>"
    leaves = html_leaves(html)
    assert _texts(leaves) == ["before", "deep", "after"]
    assert leaves[1].ipath.count("/div") == 200


def test_nesting_between_libxml2_limit_and_max_depth() -> None:
    html = "<p>before</p>" + "<div>" * 300 + "deep" + "</div>" * 300 + "<p>after</p>"
    try:
        leaves = html_leaves(html)
    except DomError:
        return
    assert _texts(leaves) == ["before", "deep", "after"]


def test_huge_flat_html_is_bounded() -> None:
    html = "<table>" + "<tr><td>cell</td></tr>" * 30_000 + "</table>"
    t0 = time.perf_counter()
    with pytest.raises(DomError):
        html_leaves(html)
    assert time.perf_counter() - t0 < 3.0


def test_large_flat_html_below_limit() -> None:
    html = "<ul>" + "".join(f"<li>item {i}</li>" for i in range(5000)) + "</ul>"
    leaves = html_leaves(html)
    assert len(leaves) == 5000
    assert leaves[-1].text == "item 4999"
    assert leaves[-1].xpath == "/html/body[1]/ul[1]/li[5000]/text()[1]"
    assert {x.ipath for x in leaves} == {"html/body/ul/li"}


def test_garbage_html_does_not_raise_other_errors() -> None:
    for junk in ["<<<>>>", "</p></div>", "<p <b>x", "\x00\x01<p>y</p>", "<" * 1000]:
        try:
            out = html_leaves(junk)
        except DomError:
            continue
        assert isinstance(out, list)


# --------------------------------------------------------------------------------------------
# text bodies and whole messages


def test_text_leaves_label_value_split() -> None:
    """Lines split at a label's colon; blank lines cut paragraphs, the lines' row elements."""
    body = (
        "Hello Ada,\n"
        "\n"
        "Order number:   #4401\n"
        "Shipped at: 10:30\n"
        "Track: https://t.example/x?y=1\n"
        "https://t.example/raw\n"
        "Ratio:1:2\n"
        "   lots    of   space  \n"
    )
    got = [(x.ipath, x.xpath, x.text) for x in text_leaves(body)]
    assert got == [
        ("line", "/p[1]/line[1]", "Hello Ada,"),
        ("line/label", "/p[2]/line[1]/label", "Order number"),
        ("line/value", "/p[2]/line[1]/value", "#4401"),
        ("line/label", "/p[2]/line[2]/label", "Shipped at"),
        ("line/value", "/p[2]/line[2]/value", "10:30"),
        ("line/label", "/p[2]/line[3]/label", "Track"),
        ("line/value", "/p[2]/line[3]/value", "https://t.example/x?y=1"),
        ("line", "/p[2]/line[4]", "https://t.example/raw"),
        ("line", "/p[2]/line[5]", "Ratio:1:2"),
        ("line", "/p[2]/line[6]", "lots of space"),
    ]
    assert {x.kind for x in text_leaves(body)} == {"line"}


def test_text_leaves_long_label_is_not_split() -> None:
    line = "This sentence is far too long to be a label in any template we know of: really"
    assert text_leaves(line) == [Leaf("line", "/p[1]/line[1]", line, "line")]


def test_text_leaves_empty() -> None:
    assert text_leaves("") == []
    assert text_leaves("\n \n\t\n") == []


def test_message_leaves_subject_first_then_html() -> None:
    leaves = message_leaves("Your order", "<p>Body</p>", "Label: text body")
    assert leaves[0] == Leaf(SUBJECT, SUBJECT, "Your order", "subject")
    assert _texts(leaves) == ["Your order", "Body"]


def test_message_leaves_text_when_html_missing_or_blank() -> None:
    for html in (None, "", "  \n "):
        leaves = message_leaves("S", html, "Label: value")
        assert [(x.kind, x.text) for x in leaves] == [("subject", "S"), ("line", "Label"), ("line", "value")]


def test_message_leaves_without_subject_or_body() -> None:
    assert message_leaves("", None, None) == []
    assert message_leaves("", "<p>x</p>", None)[0].kind == "text"


def test_leaf_is_frozen_and_hashable() -> None:
    leaf = Leaf("a", "/a", "t")
    assert leaf.kind == "text"
    with pytest.raises(dataclasses.FrozenInstanceError):
        leaf.text = "u"  # type: ignore[misc]
    assert len({leaf, Leaf("a", "/a", "t")}) == 1


# --------------------------------------------------------------------------------------------
# golden files (tests/golden/<name>.leaves.json, regenerate with tests/regen_golden.py)


def _golden_params() -> list[object]:
    out: list[object] = []
    for name in fixture_names():
        if name in KNOWN_BAD_LEAVES:
            out.append(
                pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BAD_LEAVES[name]))
            )
        else:
            out.append(name)
    return out


def test_golden_fixture_set() -> None:
    names = fixture_names()
    assert len(names) >= 4
    for name in names:
        assert (GOLDEN / f"{name}.leaves.json").is_file(), name
        assert (GOLDEN / f"{name}.message.json").is_file(), name
    assert set(KNOWN_BAD_LEAVES) <= set(names)


@pytest.mark.parametrize("name", _golden_params())
def test_golden_leaves(name: str) -> None:
    assert_golden(name, "leaves", golden_leaves)


def test_a_text_body_over_the_line_limit_stops_its_split_early() -> None:
    """A body of 400,000 short lines is refused at line 20,001 without a list of all its lines
    (that list took 3.5 times the body's size; the 20,000 lines' leaves take about one), and its
    lines split as ``splitlines`` splits."""
    text = "Order line: boots\r\n" * 400_000
    tracemalloc.start()
    try:
        with pytest.raises(DomError, match="over 20000 lines"):
            text_leaves(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1.5 * len(text)
    odd = "a\rb\r\nc\x0cd\u2028e\n\nf" + "g" * 70_000 + "\nh"
    assert [leaf.text for leaf in text_leaves(odd)] == [line for line in odd.splitlines() if line]
