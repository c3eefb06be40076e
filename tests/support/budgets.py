"""Limits the product promises, defined once for the tests and the benchmark."""

from __future__ import annotations

# Bytes of a form page on the wire (gzip, headers and body): what fits in TCP's first
# round trip on a new connection. The initial congestion window is 10 segments of
# ~1460 bytes (~14.6 KB); 14 KiB leaves a little room below it.
PAGE_WEIGHT_BUDGET = 14 * 1024  # 14 336
