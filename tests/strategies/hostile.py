"""Hostile input for the suite of ``test_hostile``: rules files, params and documents at the edges.

Rules files are written as text, the way a team writes them: conditions over every fact path,
with every operator of the one operator table, lists of up to several hundred values, ``and`` /
``or`` / ``not`` nested, identifiers in unicode, with ``$``, very long or shaped like numbers,
and YAML scalars that YAML reads as something else (``yes``, ``0x1F``, ``.inf``, ``~``).

Documents are the seed example with a few values replaced. A replacement is a *recipe*
(``hostile_cases.build``): a value nested 100,000 deep, or a list of 100,000 items, is built where the case
runs, because neither pickle nor JSON can carry it there.
"""

from __future__ import annotations

import json
import re

from hypothesis import strategies as st

from incident_rules._authoring.layers import fact_schema
from incident_rules._rulesets.operators import OPERATORS, Operator
from incident_rules.errors import shown

__all__ = [
    "DOCUMENT_PATHS",
    "as_json",
    "document_edits",
    "hostile_at",
    "hostile_param_values",
    "hostile_params",
    "quoted",
    "rules_files",
]

#: What a condition may read: every fact path of a deciding ruleset, with its type.
PATHS = {path: kind for path, kind in fact_schema().items() if not path.startswith("gate.")}
#: Shipped params by kind, for ``params.*`` operands.
_NUMBER_PARAMS = ["significant_fraction", "change_window", "blast_radius_factor", "min_action_items"]

# --- text as YAML writes it -------------------------------------------------------------------

#: What a double-quoted YAML scalar cannot hold as it is: its quote and escape character, and
#: every character YAML does not count as printable or folds as a line break (controls, line
#: breaks, surrogates, U+FFFE, U+FFFF).
_ESCAPED = re.compile('[\\\\"]|[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, escaped where a UTF-8 YAML file cannot hold it."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return "\\" + char if char in '\\"' else f"\\u{ord(char):04x}"

    return '"' + _ESCAPED.sub(escape, text) + '"'


#: Plain scalars YAML reads as something other than the text they look like.
ODD_SCALARS = ["yes", "no", "on", "~", "null", "0x1F", "0o17", "1_000", ".inf", "-.nan", "2025-06-15", "1e3"]


_PLAIN = re.compile(r"[\w.$:-]+")


def _scalar(texts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A text written quoted, or now and then plain (as YAML may misread it)."""
    return st.one_of(texts.map(quoted), texts.map(lambda t: t if _PLAIN.fullmatch(t) else quoted(t)))


#: Identifiers a team might choose: readable, some in unicode, some shaped like what they are not.
safe_identifiers = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_.-]{0,15}", fullmatch=True),
    st.sampled_from(["$close:1", "$s", "$and", "sid", "123", "1e5", "-0", "é", "名前", "x" * 300]),
)
#: Identifiers of every kind: empty, control characters, lone surrogates, thousands of characters.
identifiers = st.one_of(
    safe_identifiers,
    st.sampled_from(["a\x00b", "\ud800", "a b", "decisions", "", "\u202e", *ODD_SCALARS]),
    st.text(min_size=1, max_size=12),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.integers(1, 5000).map(lambda n: "x" * n),  # very long
    st.integers().map(str),
)

# --- conditions -------------------------------------------------------------------------------

_huge = st.integers(1, 5000).map(lambda digits: "9" * digits)
_SHIPPED_NUMBERS = [f"params.{name}" for name in _NUMBER_PARAMS]
#: Numbers a condition may compare with: integers, floats, durations, params; all in range.
fair_numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.integers(-(2**60), 2**60).map(str),  # past 2**53: durable refuses, native compares exactly
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(0, 3650), st.sampled_from("smhd")),
    st.sampled_from(_SHIPPED_NUMBERS),
)
#: Numbers of every size: past float range, 5,000 digits, hexadecimal, durations of any length.
numbers = st.one_of(
    fair_numbers,
    st.integers().map(str),
    st.sampled_from(["1e999", "-1e999", "1e308", "5e-324", "-0.0", "0x" + "f" * 300]),
    _huge,
    _huge.map(lambda digits: "0x" + digits.replace("9", "f")),
    st.builds(lambda n, unit: f"{n}{unit}", _huge, st.sampled_from("smhd")),
    st.sampled_from(["params.p0", "params.missing"]),
)
booleans = st.sampled_from(["true", "false", "True", "False"])
_odd_booleans = st.sampled_from(["params.p1", "yes", "1"])


def _choices(path: str, careful: bool) -> st.SearchStrategy[str]:
    known = PATHS[path].choices if path in PATHS else ()
    if careful and known:
        return st.sampled_from(known).map(repr)
    return st.one_of(st.sampled_from(known or ("x",)), st.text(max_size=6), identifiers).map(repr)


def _operand(path: str, shape: str, careful: bool) -> st.SearchStrategy[str]:
    """An operand of the path's own kind; when not careful, of any size, and now and then of
    another kind (a type error)."""
    kind = PATHS[path].kind if path in PATHS else "number"
    choices = _choices(path, careful)
    if careful:
        one = {"number": fair_numbers, "bool": booleans}.get(kind, choices)
    else:
        own = {"number": numbers, "bool": booleans | _odd_booleans}.get(kind, choices)
        one = st.one_of(own, own, own, numbers, booleans, choices)
    if shape == "list":
        if careful:  # a list holds literals only, at least one
            one = one.filter(lambda item: not item.startswith("params."))
        small = st.lists(one, min_size=int(careful), max_size=6)
        large = st.builds(lambda item, n: [item] * n, one, st.integers(0, 400))
        return st.one_of(small, small, large).map(lambda items: "[" + ", ".join(items) + "]")
    return one


_operators = st.sampled_from(list(OPERATORS.values()))
_PATH_NAMES = sorted(PATHS)
_odd_paths = st.one_of(
    st.sampled_from(
        ["impact.\u017fcope", "impact.1", "$impact.scope", "decisions.x", "params.p0", "features"]
    ),
    st.integers(1, 3000).map(lambda n: "impact." + "a" * n),
)


@st.composite
def _test(draw: st.DrawFn, careful: bool) -> str:
    paths = st.sampled_from(_PATH_NAMES) if careful else st.sampled_from(_PATH_NAMES) | _odd_paths
    path = draw(paths)
    kind = PATHS[path].kind if path in PATHS else "number"
    operators = [op for op in OPERATORS.values() if kind in op.kinds] if careful else list(OPERATORS.values())
    operator: Operator = draw(st.sampled_from(operators))
    if operator.operand == "member":  # set membership is written ``'cpu' in path``
        return f"{draw(_choices(path, careful))} in {path}"
    operand = draw(_operand(path, operator.operand, careful))
    if operator.mirrored and operator.operand == "value" and draw(st.integers(0, 4)) == 0:
        return f"{operand} {operator.mirrored} {path}"
    return f"{path} {operator.name} {operand}"


_BOOLEAN_PATHS = [path for path, kind in PATHS.items() if kind.kind == "bool"]


def conditions(careful: bool) -> st.SearchStrategy[str]:
    """Conditions nested in and / or / not, long flat chains of one of them, and ``not`` nested
    up to 40 deep; when careful, every test of the right kind."""
    bare = _PATH_NAMES if not careful else _BOOLEAN_PATHS
    constants = ["true"] if careful else ["true", "false"]  # ``false`` alone is not a condition
    leaves = st.one_of(_test(careful), _test(careful), st.sampled_from(bare), st.sampled_from(constants))
    return st.one_of(
        st.recursive(
            leaves,
            lambda inner: st.one_of(
                inner.map(lambda item: f"not ({item})"),
                st.lists(inner, min_size=2, max_size=4).map(lambda items: "(" + " and ".join(items) + ")"),
                st.lists(inner, min_size=2, max_size=4).map(lambda items: "(" + " or ".join(items) + ")"),
            ),
            max_leaves=16,
        ),
        st.builds(
            lambda leaf, joiner, n: joiner.join([leaf] * n),
            leaves,
            st.sampled_from([" and ", " or "]),
            st.integers(1, 150),
        ),
        st.builds(
            lambda leaf, n: "not (" * n + leaf + ")" * n, leaves, st.integers(1, 30 if careful else 40)
        ),
    )


# --- rules files ------------------------------------------------------------------------------

_PARAM_KINDS = ["duration", "fraction", "number", "boolean", "time", "weekdays", "timezone", "color"]
#: Param values of every shape: as YAML text (for a rules file's defaults).
_yaml_values = st.one_of(
    numbers.filter(lambda text: not text.startswith("params.")),
    st.sampled_from(
        [*ODD_SCALARS, "15m", "'15m'", "-5m", "[mon, fri]", "{a: 1}", "'Europe/Berlin'", "'09:00'"]
    ),
    booleans,
)


@st.composite
def _params_section(draw: st.DrawFn) -> str:
    lines = ["params:"]
    for number in range(draw(st.integers(1, 3))):
        kind, default = draw(st.sampled_from(_PARAM_KINDS)), draw(_yaml_values)
        lines.append(f"  p{number}: {{type: {kind}, default: {default}}}")
    return "\n".join(lines) + "\n"


@st.composite
def _rule(draw: st.DrawFn, values: list[str], careful: bool) -> tuple[str, str]:
    """A rule's id and the rest of it (``when`` and ``then``) as YAML lines."""
    rule_id = draw(safe_identifiers.map(quoted) if careful else _scalar(identifiers))
    then = draw(st.sampled_from(values).map(quoted) if careful else _scalar(identifiers))
    when = draw(conditions(careful))
    style = draw(st.sampled_from(["quoted", "quoted", "plain", "block"]))
    written = {"quoted": quoted(when), "plain": when, "block": "|-\n      " + when}[style]
    return rule_id, f"    when: {written}\n    then: {then}\n"


@st.composite
def rules_files(draw: st.DrawFn) -> str:
    """The text of one rules file, one ruleset in it: half of them careful (every name and
    test of the right kind, so that most load and run), half hostile anywhere."""
    careful = draw(st.booleans())
    names = safe_identifiers if careful else identifiers
    values = draw(
        st.one_of(
            st.lists(names, min_size=1, max_size=5, unique=True),
            st.integers(1, 600).map(lambda n: [f"v{i}" for i in range(n)]),
        )
    )
    hits = (
        ["first", "first", "collect", "unique"]
        if careful
        else ["first", "collect", "unique", "First", "check"]
    )
    head = [
        f"ruleset: {draw(names.map(quoted) if careful else _scalar(names))}",
        f"hit: {draw(st.sampled_from(hits))}",
        "values: [" + ", ".join(quoted(value) for value in values) + "]",
    ]
    params = "" if careful else draw(st.one_of(st.just(""), _params_section()))
    count = draw(st.one_of(st.integers(1, 6), st.integers(1, 6), st.integers(7, 300)))
    rules = [draw(_rule(values, careful)) for _ in range(min(count, 8))]
    if careful:  # ids unique, as a team's are
        rules = [(quoted(f"{rule_id.strip(chr(34))}-{n}"), rest) for n, (rule_id, rest) in enumerate(rules)]
    # A long ruleset repeats its last rule under new ids (a short rule: YAML reads 100 kB a second).
    if len(rules[-1][1]) < 2000:  # a small rule repeated stays a small file
        rules += [(quoted(f"repeated-{n}"), rules[-1][1]) for n in range(count - len(rules))]
    body = "".join(f"  - id: {rule_id}\n{rest}" for rule_id, rest in rules)
    return "\n".join(head) + "\n" + params + "rules:\n" + body


# --- params -----------------------------------------------------------------------------------


_texts = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "\ud800", "a\udfffb", "\x00", "0x10", " 5 m "]),
)
#: Values with no document or param meaning: wrong types, extremes, and recipes.
hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(300, 6000).map(lambda digits: 10**digits),
    st.floats(),
    st.sampled_from([-0.0, 5e-324, 1.7976931348623157e308, -1e308, 0.1 + 0.2]),
    _texts,
    st.builds(
        lambda n, unit: f"{n}{unit}",
        st.integers(-5, 10**6) | st.integers(300, 500).map(lambda d: 10**d),
        st.sampled_from(["s", "m", "h", "d", "M", "w", ""]),
    ),
    st.lists(st.integers() | _texts, max_size=3),
    st.dictionaries(_texts, st.integers(), max_size=2),
    st.tuples(st.just("nested"), st.integers(1, 100_000), st.sampled_from([0, "x", None])),
    st.tuples(st.just("many"), st.integers(1, 20_000), st.sampled_from([0, "x", "mon", {"at": "x"}])),
)

#: Values a param of each kind may legitimately hold, at the extremes.
_EXTREME_PARAMS = {
    "significant_fraction": [0, 1, 5e-324, 1 - 1e-16, 0.1 + 0.2],
    "change_window": [0, 0.0, 5e-324, 1e-9, 3650 * 1440, "0m", "3650d", "0.5s", "1.5h"],
    "rollback_fast_under": [0, 1e-300, 3650 * 1440, "1s"],
    "blast_radius_factor": [0, -1e308, 1e308, 5e-324, -0.0],
    "work_start": ["00:00", "23:58", 0],
    "work_end": ["23:59", "00:01"],
    "work_days": [["sun"], ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ["fri", "mon", "fri"]],
    "work_timezone": ["Pacific/Kiritimati", "America/St_Johns", "UTC", "Asia/Kathmandu", "Europe/Dublin"],
    "min_action_items": [0, 10**15, -1, 1e308],
    "sev1_update_every": [5e-324, 3650 * 1440, "1s"],
}
_extreme_params = st.sampled_from(sorted(_EXTREME_PARAMS)).flatmap(
    lambda name: st.tuples(st.just(name), st.sampled_from(_EXTREME_PARAMS[name]))
)
_PARAM_NAMES = [
    "significant_fraction",
    "change_window",
    "rollback_fast_under",
    "blast_radius_factor",
    "work_start",
    "work_end",
    "work_days",
    "work_timezone",
    "min_action_items",
    "sev1_update_every",
]
_param_names = st.one_of(st.sampled_from(_PARAM_NAMES), st.sampled_from(_PARAM_NAMES), identifiers)
#: Param values of any shape, meaningful or not.
hostile_param_values = st.one_of(
    hostile_values,
    st.sampled_from(["mon", "sun", "Europe/Berlin", "UTC", "09:00", "23:59", "00:00"]),
    st.lists(st.sampled_from(["mon", "tue", "sun", "xyz"]), max_size=9),
)
#: Overrides of shipped params: one to three, at the extremes of their kinds or of any value.
hostile_params = st.one_of(
    st.lists(_extreme_params, min_size=1, max_size=4).map(dict),
    st.lists(_extreme_params, min_size=1, max_size=4).map(dict),
    st.dictionaries(_param_names, hostile_param_values, min_size=1, max_size=3),
)

# --- documents --------------------------------------------------------------------------------

#: Places in the seed example (or beside it) a hostile value may go.
DOCUMENT_PATHS = [
    "id",
    "title",
    "detected_at",
    "onset_at",
    "status",
    "zzz",
    "impact",
    "impact.scope",
    "impact.affected_fraction",
    "impact.user_facing",
    "impact.summary",
    "impact.observations",
    "impact.observations.0.at",
    "impact.observations.0.affected_fraction",
    "signals.changes",
    "signals.changes.0.at",
    "signals.changes.0.kind",
    "signals.dependencies_down",
    "signals.exhausted_resources",
    "rollback",
    "rollback.estimated_minutes",
    "rollback.possible",
    "responders",
    "responders.0.handle",
    "responders.0.blocked_on_access",
    "timeline",
    "timeline.0.at",
    "timeline.0.kind",
    "timeline.1.severity",
    "updates.0.next_update_at",
    "updates.0.audience",
    "postmortem.action_items.0.due",
    "postmortem.whys",
]
_times = st.sampled_from(
    [
        "2025-13-01T00:00:00Z",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "2025-06-15T14:30:00",
        "2025-06-15T14:30:00+24:00",
        "2025-06-15T14:30:00.123456789Z",
        "2025-W24-7T14:30Z",
        " 2025-06-15T14:30Z",
        "2025-06-15T14:30:00Z\x00",
        "2025-06-15t14:30:00z",
        "2025-06-15T14:30:00-23:59",
        "2025-06-15T24:00:00Z",
        "2025-02-29T00:00:00Z",
        "2025-06-15T14:30:00+05:30",
    ]
)
_OBSERVATION = {"at": "2025-06-15T14:25:00+00:00", "affected_fraction": 0.5}
_ENTRY = {"at": "2025-06-15T14:25:00.999999-23:59", "kind": "note", "text": "\u202e\U0001f525"}
#: Values the document format allows, at its extremes, by path.
_EXTREME_DOCUMENT = [
    ("impact.affected_fraction", st.sampled_from([0, 1, 5e-324, 1 - 1e-16, -0.0])),
    ("rollback.estimated_minutes", st.sampled_from([0, 5e-324, 1e308, -1e308, 2**53 + 1, 10**300])),
    ("impact.observations", st.tuples(st.just("many"), st.integers(1, 20_000), st.just(_OBSERVATION))),
    ("timeline", st.tuples(st.just("many"), st.integers(1, 20_000), st.just(_ENTRY))),
    ("signals.dependencies_down", st.tuples(st.just("many"), st.integers(1, 20_000), st.text(max_size=3))),
    (
        "title",
        st.text(st.characters(codec="utf-8"), max_size=200) | st.integers(1, 10**6).map(lambda n: "x" * n),
    ),
    ("detected_at", st.sampled_from(["2025-06-15T14:23:00.000001+14:00", "2025-06-15T14:23:00-23:59"])),
]
_extreme_edits = st.sampled_from(_EXTREME_DOCUMENT).flatmap(lambda pair: st.tuples(st.just(pair[0]), pair[1]))
_any_edits = st.tuples(st.sampled_from(DOCUMENT_PATHS), st.one_of(hostile_values, _times))
#: Replacements for a document: ``(path, value or recipe)`` pairs, allowed at the extremes or not.
document_edits = st.one_of(
    st.lists(_extreme_edits, min_size=1, max_size=3),
    st.lists(st.one_of(_extreme_edits, _any_edits), min_size=1, max_size=3),
)
#: Instants to assess at: the seed's own, and odd ones.
hostile_at = st.one_of(st.just("2025-06-15T14:30:00Z"), st.just("2025-06-16T00:00:00+14:00"), _times)


def as_json(value: object) -> str:
    """``value`` as JSON text for a failure message, or as :func:`shown` where JSON cannot."""
    try:
        return json.dumps(value, default=repr)[:2000]
    except (TypeError, ValueError, RecursionError):
        return shown(value)[:2000]
