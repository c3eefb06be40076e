"""The edge's byte scans let a body through unchecked only when the exact check would
have passed it too: for any JSON (hostile values included, escaped or not), a body the
fast path calls fine is one the full walk finds nothing in. No database needed."""

from __future__ import annotations

import json

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import BadRequest
from service.web.limits import _surely_fine, _walk, check_json

HOSTILE = st.sampled_from(["\x00", "a\x1bb", "x\x85y", "\x7f", "0001-01-01T00:00:00+14:00", "1899-12-31 23:00",
                           "2201-01-01T00:00:00", 2**31, -(2**31) - 1, 10**12, 2**63])
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30) | HOSTILE,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8) | HOSTILE.map(str), inner,
                                                                   max_size=5),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None, database=None)
@given(value=values, ascii_only=st.booleans())
def test_a_body_the_fast_path_lets_through_breaks_no_rule(value, ascii_only):
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    if _surely_fine(body):
        _walk(msgspec.json.decode(body), "", 0)  # raises BadRequest if a rule is broken


@settings(max_examples=300, deadline=None, database=None)
@given(value=values)
def test_check_json_refuses_exactly_what_the_walk_refuses(value):
    body = json.dumps(value, ensure_ascii=False).encode()
    try:
        _walk(msgspec.json.decode(body), "", 0)
        broken = False
    except BadRequest:
        broken = True
    try:
        check_json(body)
        refused = False
    except BadRequest:
        refused = True
    assert refused == broken, body
