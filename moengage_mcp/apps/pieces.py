"""Personalised text cut into pieces: literal runs and what each `{{ }}` expression produced.

The preview app highlights a value that rendered empty or unresolved *where it stands* (in a
push title, in the email body), so it needs more than "this field has a problem": it needs the
span each expression's output covers in the rendered text. The template's literal text
reappears in the rendered text in order; what lies between two literal runs is the output of
the expression between them. Templates whose literals do not line up (loops, conditions) fall
back to marking only `{{ }}` left in the output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"""\[\s*(['"])(?P<quoted>.+?)\1\s*\]|\.\s*(?P<dotted>[A-Za-z_]\w*)""")

Issue = Literal["empty", "unresolved"]


class Piece(BaseModel):
    """A run of a text field. `expr` is set on runs an expression produced (or, in a campaign's
    own content, on the expression as written); `issue` on those that rendered empty or were
    left unresolved."""

    text: str
    expr: str | None = None
    """The expression inside `{{ }}`, e.g. `UserAttribute['First Name']|default('there')`."""
    name: str | None = None
    """A short label for the expression: the attribute or block it reads, e.g. `First Name`."""
    issue: Issue | None = None


@dataclass(frozen=True)
class Span:
    """Where one expression's output lies in a rendered text (`start == end` when empty)."""

    start: int
    end: int
    expr: str
    issue: Issue | None


def expression_name(expr: str) -> str:
    """`UserAttribute['First Name']|default('x')` -> `First Name`; the expression itself otherwise."""
    found = _NAME.search(expr.split("|", 1)[0])
    if not found:
        return expr.strip()
    return found.group("quoted") or found.group("dotted")


def template_pieces(template: str) -> list[Piece]:
    """A campaign's own text: literal runs, and each expression as written."""
    pieces: list[Piece] = []
    last = 0
    for match in EXPRESSION.finditer(template):
        if match.start() > last:
            pieces.append(Piece(text=template[last : match.start()]))
        expr = match.group(1).strip()
        pieces.append(Piece(text=match.group(0), expr=expr, name=expression_name(expr)))
        last = match.end()
    if last < len(template) or not pieces:
        pieces.append(Piece(text=template[last:]))
    return pieces


def spans(rendered: str, template: str | None) -> list[Span]:
    """The output span of every expression of `template` in `rendered`, or, when they cannot be
    lined up (or there is no template), the `{{ }}` still present in `rendered`."""
    aligned = _align(rendered, template) if template and EXPRESSION.search(template) else None
    if aligned is not None:
        return aligned
    return [Span(m.start(), m.end(), m.group(1).strip(), "unresolved") for m in EXPRESSION.finditer(rendered)]


def rendered_pieces(rendered: str, template: str | None) -> list[Piece]:
    """A rendered text cut at its expressions' outputs, problems flagged. A field that came out
    empty as a whole is one empty piece, whatever its template was."""
    if not rendered.strip():
        expr = EXPRESSION.search(template or "")
        name = expression_name(expr.group(1)) if expr else None
        return [Piece(text=rendered, expr=expr.group(1).strip() if expr else None, name=name, issue="empty")]
    pieces: list[Piece] = []
    last = 0
    for span in spans(rendered, template):
        if span.start > last:
            pieces.append(Piece(text=rendered[last : span.start]))
        text = rendered[span.start : span.end]
        pieces.append(Piece(text=text, expr=span.expr, name=expression_name(span.expr), issue=span.issue))
        last = span.end
    if last < len(rendered):
        pieces.append(Piece(text=rendered[last:]))
    return pieces


def _align(rendered: str, template: str) -> list[Span] | None:
    """Each literal run found at its first place after the previous one (one pass, no
    backtracking, so a 50 KB email with short literals stays linear); None if they do not fit.
    Two expressions with nothing between them cannot be told apart: the first is not called
    empty when the pair produced something."""
    parts = EXPRESSION.split(template)
    literals, expressions = parts[::2], parts[1::2]
    if not (rendered.startswith(literals[0]) and rendered.endswith(literals[-1])):
        return None
    tail = len(rendered) - len(literals[-1])
    found: list[Span] = []
    position = len(literals[0])
    for index, expr in enumerate(expressions):
        after = literals[index + 1]
        end = tail if index == len(expressions) - 1 else rendered.find(after, position, tail)
        if end < position:
            return None
        output = rendered[position:end]
        issue: Issue | None = "unresolved" if "{{" in output else "empty" if not output.strip() else None
        found.append(Span(position, end, expr.strip(), issue))
        position = end + len(after)
    for index in range(len(found) - 1):
        if (
            not literals[index + 1]
            and found[index].issue == "empty"
            and found[index + 1].start < found[index + 1].end
        ):
            found[index] = Span(found[index].start, found[index].end, found[index].expr, None)
    return found
