"""HTML layout families and the plain-text renderer.

Each sender uses one layout family and its own brand colours, so the same kind of
message looks as different across senders as it does between real companies.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .model import Block, Button, Code, Doc, Fields, Heading, Inline, Items, Link, Para, Parts, Totals, Var


@dataclass(frozen=True)
class Brand:
    """Visual identity and footer of a sender."""

    name: str
    color: str
    footer: tuple[str, ...]
    lang: str = "en"
    accent: str = "#f4f4f4"


def _t(s: str) -> str:
    return escape(s, quote=False)


def _a(s: str) -> str:
    return escape(s, quote=True)


class Layout:
    """Base renderer: subclasses override the block hooks."""

    link_style = ""

    def __init__(self, brand: Brand) -> None:
        self.b = brand

    def inline(self, parts: Parts) -> str:
        """Render inline parts with escaping."""
        return "".join(self._one(p) for p in parts)

    def _one(self, p: Inline) -> str:
        if isinstance(p, str):
            return _t(p)
        if isinstance(p, Var):
            return _t(p.value)
        style = f' style="{self.link_style}"' if self.link_style else ""
        return f'<a href="{_a(p.href)}"{style}>{self.inline(p.text)}</a>'

    def block(self, b: Block) -> str:
        """Dispatch one block to its hook."""
        if isinstance(b, Heading):
            return self.heading(b)
        if isinstance(b, Para):
            return self.para(b)
        if isinstance(b, Fields):
            return self.fields(b)
        if isinstance(b, Items):
            return self.items(b)
        if isinstance(b, Totals):
            return self.totals(b)
        if isinstance(b, Button):
            return self.button(b)
        return self.code(b)

    def render(self, doc: Doc) -> str:
        """The full HTML document."""
        body = "\n".join(self.block(b) for b in doc.blocks)
        return self.wrap(body, self.inline(doc.subject))

    # hooks -----------------------------------------------------------------
    def heading(self, b: Heading) -> str:
        return f"<h2>{self.inline(b.parts)}</h2>"

    def para(self, b: Para) -> str:
        return f"<p>{self.inline(b.parts)}</p>"

    def fields(self, b: Fields) -> str:
        rows = "".join(f"{_t(k)}: {self.inline(v)}<br>\n" for k, v in b.rows)
        title = f"<strong>{_t(b.title)}</strong><br>\n" if b.title else ""
        return f"<p>{title}{rows}</p>"

    def items(self, b: Items) -> str:
        lines = []
        for row in b.rows:
            cells = []
            for i, cell in enumerate(row):
                head = b.headers[i] if i < len(b.headers) else ""
                prefixed = i > 0 and head and cell and not isinstance(cell[0], str)
                cells.append(f"{_t(head)}: {self.inline(cell)}" if prefixed else self.inline(cell))
            lines.append(" · ".join(cells))
        title = f"<strong>{_t(b.title)}</strong><br>\n" if b.title else ""
        return f"<p>{title}" + "<br>\n".join(lines) + "</p>"

    def totals(self, b: Totals) -> str:
        return self.fields(Fields(b.rows))

    def button(self, b: Button) -> str:
        return f'<p><a href="{_a(b.href)}">{_t(b.label)}</a></p>'

    def code(self, b: Code) -> str:
        return f"<p><strong>{self.inline(b.parts)}</strong></p>"

    def footer(self) -> str:
        return "<br>\n".join(_t(x) for x in self.b.footer)

    def wrap(self, body: str, title: str) -> str:
        return (
            f'<html><head><meta charset="utf-8"><title>{title}</title></head>\n'
            f"<body>\n{body}\n<hr>\n<p><small>{self.footer()}</small></p>\n</body></html>\n"
        )


class Minimal(Layout):
    """Bare paragraphs and ``<br>`` lines; labels share text nodes with values."""

    def wrap(self, body: str, title: str) -> str:
        return (
            f'<html><body style="font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222">\n'
            f"<p><b>{_t(self.b.name)}</b></p>\n{body}\n"
            f'<p style="color:#999;font-size:12px">-- <br>\n{self.footer()}</p>\n</body></html>\n'
        )


class Retro(Layout):
    """1990s table layout with ``<font>`` tags, ``bgcolor`` and bordered tables."""

    F = '<font face="Verdana, Arial, Helvetica" size="2">'

    def heading(self, b: Heading) -> str:
        return (
            f'<tr><td><font face="Verdana, Arial, Helvetica" size="3" color="{self.b.color}"><b>'
            f"{self.inline(b.parts)}</b></font></td></tr>"
        )

    def para(self, b: Para) -> str:
        size = "1" if b.muted else "2"
        return (
            f'<tr><td><font face="Verdana, Arial, Helvetica" '
            f'size="{size}">{self.inline(b.parts)}</font></td></tr>'
        )

    def fields(self, b: Fields) -> str:
        rows = "\n".join(
            f'<tr><td width="40%" valign="top">{self.F}<b>{_t(k)}:</b></font></td>\n'
            f"<td>{self.F}{self.inline(v)}</font></td></tr>"
            for k, v in b.rows
        )
        title = (
            f'<tr><td colspan="2" bgcolor="#dddddd">{self.F}<b>{_t(b.title.upper())}</b></font></td></tr>\n'
            if b.title
            else ""
        )
        return (
            f'<tr><td>\n<table width="100%" border="0" cellpadding="3" cellspacing="0">\n{title}{rows}\n'
            "</table>\n</td></tr>"
        )

    def items(self, b: Items) -> str:
        head = "\n".join(f'<th align="left">{self.F}{_t(h.upper())}</font></th>' for h in b.headers)
        rows = "\n".join(
            "<tr>"
            + "\n".join(f'<td valign="top">{self.F}{self.inline(c)}</font></td>' for c in row)
            + "</tr>"
            for row in b.rows
        )
        return (
            f'<tr><td>\n<table width="100%" border="1" cellpadding="4" cellspacing="0" '
            'bordercolor="#cccccc">\n'
            f'<tr bgcolor="#dddddd">{head}</tr>\n{rows}\n</table>\n</td></tr>'
        )

    def totals(self, b: Totals) -> str:
        rows = []
        for i, (k, v) in enumerate(b.rows):
            last = i == len(b.rows) - 1
            o, c = ("<b>", "</b>") if last else ("", "")
            rows.append(
                f'<tr><td align="right">{self.F}{o}{_t(k)}:{c}</font></td>\n'
                f'<td align="right" width="90">{self.F}{o}{self.inline(v)}{c}</font></td></tr>'
            )
        return (
            '<tr><td align="right">\n<table border="0" cellpadding="2" cellspacing="0">\n'
            + "\n".join(rows)
            + "\n</table>\n</td></tr>"
        )

    def button(self, b: Button) -> str:
        return f'<tr><td>{self.F}<a href="{_a(b.href)}"><b>&gt;&gt; {_t(b.label)}</b></a></font></td></tr>'

    def code(self, b: Code) -> str:
        return (
            f'<tr><td align="center"><font face="Courier New, Courier" size="5"><b>{self.inline(b.parts)}'
            "</b></font></td></tr>"
        )

    def wrap(self, body: str, title: str) -> str:
        return (
            f"<html>\n<head><title>{title}</title></head>\n"
            '<body bgcolor="#eeeeee" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">\n'
            '<table width="100%" bgcolor="#eeeeee" cellpadding="0" cellspacing="0" '
            'border="0"><tr><td align="center">\n'
            '<table width="600" bgcolor="#ffffff" cellpadding="10" cellspacing="0" border="0">\n'
            f'<tr><td bgcolor="{self.b.color}"><font face="Georgia, Times" size="5" color="#ffffff"><b>'
            f"{_t(self.b.name.upper())}</b></font></td></tr>\n{body}\n"
            '<tr><td><hr size="1" noshade color="#cccccc">'
            f'<font face="Verdana, Arial" size="1" color="#888888">{self.footer()}</font></td></tr>\n'
            "</table>\n</td></tr></table>\n</body>\n</html>\n"
        )


class Modern(Layout):
    """Div-based responsive layout with a ``<style>`` block and flex rows."""

    @property
    def link_style(self) -> str:  # type: ignore[override]
        return f"color:{self.b.color}"

    def heading(self, b: Heading) -> str:
        return f'<h1 class="title">{self.inline(b.parts)}</h1>'

    def para(self, b: Para) -> str:
        cls = "muted" if b.muted else "text"
        return f'<p class="{cls}">{self.inline(b.parts)}</p>'

    def fields(self, b: Fields) -> str:
        rows = "\n".join(
            f'  <div class="kv"><span class="k">{_t(k)}</span> <span class="v">{self.inline(v)}</span></div>'
            for k, v in b.rows
        )
        title = f'  <h3 class="section">{_t(b.title)}</h3>\n' if b.title else ""
        return f'<div class="panel">\n{title}{rows}\n</div>'

    def items(self, b: Items) -> str:
        out = ['<div class="items">']
        if b.title:
            out.append(f'  <h3 class="section">{_t(b.title)}</h3>')
        for row in b.rows:
            main, *rest = row
            meta = []
            for i, cell in enumerate(rest, start=1):
                head = b.headers[i] if i < len(b.headers) else ""
                if head and cell and not isinstance(cell[0], str):
                    meta.append(f'<span class="m">{_t(head)}: {self.inline(cell)}</span>')
                else:
                    meta.append(f'<span class="m">{self.inline(cell)}</span>')
            out.append(
                f'  <div class="item"><div class="item-main">{self.inline(main)}</div>'
                f'<div class="item-meta">{" ".join(meta)}</div></div>'
            )
        out.append("</div>")
        return "\n".join(out)

    def totals(self, b: Totals) -> str:
        rows = []
        for i, (k, v) in enumerate(b.rows):
            cls = "sum total" if i == len(b.rows) - 1 else "sum"
            rows.append(f'  <div class="{cls}"><span>{_t(k)}</span> <span>{self.inline(v)}</span></div>')
        return '<div class="sums">\n' + "\n".join(rows) + "\n</div>"

    def button(self, b: Button) -> str:
        return (
            f'<div class="cta"><a class="btn" href="{_a(b.href)}" '
            f'style="background:{self.b.color};color:#fff;'
            f'padding:12px 22px;border-radius:6px;text-decoration:none">{_t(b.label)}</a></div>'
        )

    def code(self, b: Code) -> str:
        return f'<div class="code">{self.inline(b.parts)}</div>'

    def wrap(self, body: str, title: str) -> str:
        c = self.b.color
        return (
            f'<!DOCTYPE html>\n<html lang="{self.b.lang}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{title}</title>\n<style>\n"
            "body{margin:0;background:#f5f6f8;font-family:-apple-system,'Segoe "
            "UI',Roboto,sans-serif;color:#1f2328}\n"
            ".wrap{max-width:560px;margin:0 "
            "auto;padding:24px}.card{background:#fff;border-radius:10px;padding:28px}\n"
            ".kv,.sum{display:flex;justify-content:space-between;padding:6px 0;border-bottom:1px "
            "solid #eee}\n"
            f".k{{color:#6a737d}}.total{{font-weight:700}}.code{{font-size:28px;letter-spacing:4px;color:{c}}}\n"
            ".item{padding:10px 0;border-bottom:1px solid #eee}.item-meta{color:#6a737d;font-size:13px}\n"
            ".muted{color:#8a8f98;font-size:12px}.m{margin-right:12px}\n</style>\n</head>\n<body>\n"
            f'<div class="wrap">\n<div class="logo" style="color:{c};font-weight:700;font-size:20px">'
            f"{_t(self.b.name)}</div>\n"
            f'<div class="card">\n{body}\n</div>\n<div class="muted footer">{self.footer()}</div>\n</div>\n'
            "</body>\n</html>\n"
        )


class Nested(Layout):
    """Three levels of nested tables with CSS classes; labels above values."""

    def heading(self, b: Heading) -> str:
        return f'<tr><td class="content-block h-title">{self.inline(b.parts)}</td></tr>'

    def para(self, b: Para) -> str:
        cls = "content-block small" if b.muted else "content-block"
        return f'<tr><td class="{cls}">{self.inline(b.parts)}</td></tr>'

    def fields(self, b: Fields) -> str:
        cells = "\n".join(
            f'<tr><td class="attr-label">{_t(k)}</td></tr>\n<tr><td '
            f'class="attr-value">{self.inline(v)}</td></tr>'
            for k, v in b.rows
        )
        title = f'<tr><td class="attr-title">{_t(b.title)}</td></tr>\n' if b.title else ""
        return (
            f'<tr><td class="content-block">\n<table class="attributes" width="100%" cellpadding="0" '
            f'cellspacing="0">\n{title}{cells}\n</table>\n</td></tr>'
        )

    def items(self, b: Items) -> str:
        head = "\n".join(f'<td class="li-head li-col{i}">{_t(h)}</td>' for i, h in enumerate(b.headers))
        rows = "\n".join(
            '<tr class="line-item">'
            + "\n".join(f'<td class="li-cell li-col{i}">{self.inline(c)}</td>' for i, c in enumerate(row))
            + "</tr>"
            for row in b.rows
        )
        title = (
            f'<tr><td class="attr-title" colspan="{len(b.headers)}">{_t(b.title)}</td></tr>\n'
            if b.title
            else ""
        )
        return (
            f'<tr><td class="content-block">\n<table class="line-items" width="100%" cellpadding="0" '
            f'cellspacing="0">\n{title}<tr>{head}</tr>\n{rows}\n</table>\n</td></tr>'
        )

    def totals(self, b: Totals) -> str:
        rows = "\n".join(
            f'<tr class="{"total-row" if i == len(b.rows) - 1 else "sub-row"}"><td '
            f'class="t-label">{_t(k)}</td>\n'
            f'<td class="t-value" align="right">{self.inline(v)}</td></tr>'
            for i, (k, v) in enumerate(b.rows)
        )
        return (
            f'<tr><td class="content-block">\n<table class="totals" '
            f'width="100%">\n{rows}\n</table>\n</td></tr>'
        )

    def button(self, b: Button) -> str:
        return (
            f'<tr><td class="content-block"><table class="btn btn-primary" cellpadding="0" cellspacing="0">'
            f'<tr><td class="btn-cell"><a class="btn-link" href="{_a(b.href)}">{_t(b.label)}</a></td></tr>'
            "</table></td></tr>"
        )

    def code(self, b: Code) -> str:
        return f'<tr><td class="content-block code-box" align="center">{self.inline(b.parts)}</td></tr>'

    def wrap(self, body: str, title: str) -> str:
        c = self.b.color
        return (
            f'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">\n<html>\n<head>\n'
            f'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n<title>{title}</title>\n'
            '<style type="text/css">\n'
            "table.body{width:100%;background:#f6f6f6}td.container{max-width:600px;margin:0 auto}\n"
            f".header{{background:{c};color:#fff;font-size:22px;padding:18px}}\n"
            ".content-block{padding:0 0 16px}\n"
            ".attr-label{color:#777;font-size:12px;text-transform:uppercase}\n"
            ".attr-value{font-size:15px;padding-bottom:8px}\n"
            ".li-head{border-bottom:2px solid #ddd;font-weight:bold}.li-cell{border-bottom:1px "
            "solid #eee;padding:6px 0}\n"
            f".total-row "
            f"td{{font-weight:bold;border-top:2px solid {c}}}.btn-cell{{background:{c};border-radius:4px}}\n"
            ".btn-link{color:#fff;display:inline-block;padding:10px 20px}.small{font-size:11px;color:#999}\n"
            ".code-box{font-family:monospace;font-size:26px}\n</style>\n</head>\n<body>\n"
            '<table class="body" cellpadding="0" cellspacing="0"><tr><td>&nbsp;</td><td class="container">\n'
            '<table class="main" width="100%" cellpadding="0" cellspacing="0">\n'
            f'<tr><td class="header">{_t(self.b.name)}</td></tr>\n'
            '<tr><td class="wrapper">\n<table class="content" width="100%" cellpadding="0" cellspacing="0">\n'
            f"{body}\n</table>\n</td></tr>\n</table>\n"
            f'<table class="footer" width="100%"><tr><td class="small" '
            f'align="center">{self.footer()}</td></tr></table>\n'
            "</td><td>&nbsp;</td></tr></table>\n</body>\n</html>\n"
        )


class Listy(Layout):
    """Semantic markup: ``<dl>`` label lists, ``<ol>`` line items, centred header."""

    def heading(self, b: Heading) -> str:
        return (
            f'<h2 style="border-left:4px solid {self.b.color};padding-left:8px">{self.inline(b.parts)}</h2>'
        )

    def para(self, b: Para) -> str:
        return (
            f'<p style="font-size:11px;color:#888">{self.inline(b.parts)}</p>'
            if b.muted
            else f"<p>{self.inline(b.parts)}</p>"
        )

    def fields(self, b: Fields) -> str:
        rows = "\n".join(f"  <dt>{_t(k)}</dt>\n  <dd>{self.inline(v)}</dd>" for k, v in b.rows)
        title = f"<h3>{_t(b.title)}</h3>\n" if b.title else ""
        return f'{title}<dl class="info">\n{rows}\n</dl>'

    def items(self, b: Items) -> str:
        out = [f"<h3>{_t(b.title)}</h3>"] if b.title else []
        out.append('<ol class="lines">')
        for row in b.rows:
            cells = []
            for i, cell in enumerate(row):
                head = b.headers[i] if i < len(b.headers) else ""
                if i and head and cell and not isinstance(cell[0], str):
                    cells.append(
                        f'<span class="c{i}">{_t(head)}：{self.inline(cell)}</span>'
                        if self.b.lang == "ja"
                        else f'<span class="c{i}">{_t(head)} {self.inline(cell)}</span>'
                    )
                else:
                    cells.append(f'<span class="c{i}">{self.inline(cell)}</span>')
            out.append("  <li>" + " / ".join(cells) + "</li>")
        out.append("</ol>")
        return "\n".join(out)

    def totals(self, b: Totals) -> str:
        rows = "\n".join(f"  <dt>{_t(k)}</dt>\n  <dd>{self.inline(v)}</dd>" for k, v in b.rows)
        return f'<dl class="totals" style="text-align:right">\n{rows}\n</dl>'

    def button(self, b: Button) -> str:
        return (
            f'<p class="cta"><a href="{_a(b.href)}" style="border:1px solid {self.b.color};padding:8px 16px;'
            f'color:{self.b.color}">{_t(b.label)}</a></p>'
        )

    def code(self, b: Code) -> str:
        return f'<p class="code" style="font-size:24px;text-align:center"><b>{self.inline(b.parts)}</b></p>'

    def wrap(self, body: str, title: str) -> str:
        return (
            f'<html lang="{self.b.lang}"><head><meta charset="utf-8"><title>{title}</title></head>\n'
            "<body style=\"font-family:'Hiragino Sans',Meiryo,sans-serif;max-width:640px;margin:auto\">\n"
            f'<header style="text-align:center;background:{self.b.accent};padding:12px">'
            f'<span style="font-size:20px;color:{self.b.color}">{_t(self.b.name)}</span></header>\n'
            f'<main>\n{body}\n</main>\n<footer style="font-size:11px;color:#999">{self.footer()}</footer>\n'
            "</body></html>\n"
        )


LAYOUTS: dict[str, type[Layout]] = {
    "minimal": Minimal,
    "retro": Retro,
    "modern": Modern,
    "nested": Nested,
    "listy": Listy,
}


def render_html(doc: Doc, layout: str, brand: Brand) -> str:
    """Render ``doc`` with the named layout family."""
    return LAYOUTS[layout](brand).render(doc)


def _text_inline(parts: Parts) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, Var):
            out.append(p.value)
        elif isinstance(p, Link):
            out.append(f"{_text_inline(p.text)} <{p.href}>")
    return "".join(out)


def render_text(doc: Doc, brand: Brand, colon: str = ": ") -> str:
    """Render the plain-text alternative: paragraphs and ``Label: value`` lines."""
    out: list[str] = [brand.name, ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            title = _text_inline(b.parts)
            out += [title, "=" * min(len(title), 60), ""]
        elif isinstance(b, Para):
            out += [_text_inline(b.parts), ""]
        elif isinstance(b, Fields | Totals):
            if isinstance(b, Fields) and b.title:
                out.append(b.title.upper())
            out += [f"{k}{colon}{_text_inline(v)}" for k, v in b.rows]
            out.append("")
        elif isinstance(b, Items):
            if b.title:
                out.append(b.title.upper())
            for row in b.rows:
                for i, cell in enumerate(row):
                    head = b.headers[i] if i < len(b.headers) else ""
                    text = _text_inline(cell)
                    out.append(
                        f"{head}{colon}{text}" if head and not (cell and isinstance(cell[0], str)) else text
                    )
                out.append("")
        elif isinstance(b, Button):
            out += [f"{b.label}{colon}{b.href}", ""]
        elif isinstance(b, Code):
            out += [_text_inline(b.parts), ""]
    out += ["--", *brand.footer, ""]
    return "\n".join(out)
