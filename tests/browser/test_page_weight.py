"""A form page must arrive in the first round trip of a slow phone connection: at most
14 KiB on the wire, gzip-compressed, headers and every stylesheet it needs included."""

from __future__ import annotations

import gzip
import re
import socket
import urllib.parse

import pytest

from tests.browser.conftest import new_link
from tests.support.budgets import PAGE_WEIGHT_BUDGET

pytestmark = pytest.mark.browser


def on_the_wire(base: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], int, bytes]:
    """One HTTP/1.1 exchange over a plain socket: status, headers, the exact number of
    bytes received (headers and compressed body), and the decoded body."""
    url = urllib.parse.urlsplit(base)
    method = "POST" if body is not None else "GET"
    lines = [
        f"{method} {path} HTTP/1.1", f"Host: {url.netloc}", "Accept-Encoding: gzip",
        "Accept: text/html", "Connection: close",
    ]
    if body is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body.encode())}"]
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n" + (body or "")).encode())
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    if headers.get("transfer-encoding") == "chunked":
        data, rest = b"", payload
        while True:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                break
            data, rest = data + rest[:size], rest[size + 2:]
        payload = data
    if headers.get("content-encoding") == "gzip":
        payload = gzip.decompress(payload)
    return int(status_line.split()[1]), headers, len(raw), payload


def page_weight(base: str, path: str, body: str | None = None, expect_status: int = 200) -> tuple[int, str]:
    status, headers, size, html = on_the_wire(base, path, body)
    assert status == expect_status, html[:500]
    assert headers.get("content-encoding") == "gzip", headers
    text = html.decode()
    for href in re.findall(r"<link[^>]+rel=\"?stylesheet\"?[^>]*href=\"?([^\" >]+)", text):
        css_status, css_headers, css_size, _ = on_the_wire(base, urllib.parse.urljoin(path, href))
        assert css_status == 200, href
        size += css_size
    return size, text


async def test_form_pages_weigh_at_most_14_kib_gzipped_on_the_wire(server, pool):
    token = await new_link(pool, "medarbejder")
    first, first_html = page_weight(server, f"/s/{token}")
    assert "<style>" in first_html or "stylesheet" in first_html
    errors, errors_html = page_weight(server, f"/s/{token}", "_side=0&_handling=naeste", expect_status=422)
    assert 'href="#f-rolle"' in errors_html
    status, headers, _, _ = on_the_wire(server, f"/s/{token}", "_side=0&rolle=myndighed&_handling=naeste")
    assert status == 303, headers
    matrix, matrix_html = page_weight(server, f"/s/{token}")  # the heaviest: 7 questions × 6 options
    assert matrix_html.count('type="radio"') == 42

    borger = await new_link(pool, "borger")
    citizen, _ = page_weight(server, f"/s/{borger}")
    weights = {"staff role page": first, "staff role page with errors": errors, "staff matrix page": matrix,
               "citizen first page": citizen}
    print("\nbytes on the wire, gzip:", weights)
    assert max(weights.values()) <= PAGE_WEIGHT_BUDGET, weights
