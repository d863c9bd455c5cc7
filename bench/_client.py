"""A small keep-alive HTTP client for the benchmarks and the fault tests (standard library
only): session and CSRF cookies, the password login of ``/accounts/login/``, JSON and
multipart requests, and per-request timings."""

from __future__ import annotations

import http.client
import json
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Session:
    port: int
    host: str = "127.0.0.1"
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)
    timings: list[float] = field(default_factory=list)
    conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        retry: bool = True,
    ) -> Response:
        all_headers = {"Connection": "keep-alive", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD") and "csrftoken" in self.cookies:
            all_headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            data = raw.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # the server closed an idle keep-alive connection: reconnect once (the
            # request never reached a worker, so it is safe to send again)
            self.close()
            if not retry:
                raise
            return self.request(method, path, body, headers, retry=False)
        seconds = time.perf_counter() - started
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if (raw.getheader("Connection") or "").lower() == "close":
            self.close()
        self.timings.append(seconds)
        return Response(raw.status, data, seconds)

    def login(self, username: str, password: str) -> None:
        page = self.request("GET", "/accounts/login/")
        found = CSRF_INPUT.search(page.body)
        if page.status != 200 or found is None:
            raise RuntimeError(f"login page: HTTP {page.status}")
        form = (
            f"csrfmiddlewaretoken={found.group(1).decode()}&username={username}&password={password}"
        ).encode()
        r = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if r.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {r.status}")
        self.timings.clear()

    def post_json(self, path: str, data: Any, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(data, ensure_ascii=False).encode()
        return self.request(
            "POST", path, body, {"Content-Type": "application/json", **(headers or {})}
        )

    def post_file(
        self, path: str, filename: str, content: bytes, content_type: str, *, field: str = "file"
    ) -> Response:
        boundary = uuid.uuid4().hex
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        body = head + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]
