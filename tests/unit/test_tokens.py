"""Link tokens: random, URL-safe, and never read as an option by the command line."""

from __future__ import annotations

from service.cli import parser
from service.tokens import new_token


def test_no_token_begins_with_a_dash_so_sammen_erase_takes_every_one():
    """CI failed once when a test's link began with '-': `sammen erase --token -…` was
    refused by argparse ('expected one argument'), as an administrator's would be."""
    tokens = [new_token() for _ in range(5000)]
    assert not [t for t in tokens if t.startswith("-")] and len(set(tokens)) == 5000
    assert {c for t in tokens for c in t} <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert parser().parse_args(["erase", "--token", tokens[0]]).token == tokens[0]
