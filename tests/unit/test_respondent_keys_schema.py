"""The API's schema refuses the respondent keys the service refuses: its `not` pattern
for CPR numbers (service/admin/keys.py CPR_PATTERN) gives looks_like_cpr()'s answer for
every key, so a schema fuzzer's keys are never refused as CPR numbers unannounced."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from service.admin.keys import CPR_PATTERN, looks_like_cpr

_CPR = re.compile(CPR_PATTERN)
# digits weighted up, so that dates and near-dates (30 February, 31 April) come often
KEYS = st.text(alphabet=st.sampled_from("0123456789" * 4 + "aZ_.:-"), min_size=1, max_size=40)


@settings(max_examples=3000)
@given(KEYS)
def test_the_schemas_cpr_pattern_and_the_service_agree_on_every_key(key):
    assert bool(_CPR.search(key)) == looks_like_cpr(key)


def test_dates_that_do_not_exist_are_no_cpr_numbers_and_leap_days_are():
    for key, cpr in [("290200-1234", True), ("290201-1234", False), ("310490-1234", False),
                     ("cpr-0101901234", True), ("3002901234", False), ("a0b1c0d1e9f0g1h2i3j4", True)]:
        assert bool(_CPR.search(key)) == looks_like_cpr(key) == cpr, key
