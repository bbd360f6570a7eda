"""A small HTTP client for the daemon's API in tests: status and JSON, credentials optional."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request


def call_api(
    base: str,
    method: str,
    path: str,
    auth: tuple[str, str] | None = None,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, object]:
    headers = dict(headers or {})
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, _decode(answer.read(), answer.headers.get("content-type", ""))
    except urllib.error.HTTPError as error:
        return error.code, _decode(error.read(), error.headers.get("content-type", ""))


def _decode(raw: bytes, content_type: str) -> object:
    return json.loads(raw) if content_type.startswith("application/json") else raw
