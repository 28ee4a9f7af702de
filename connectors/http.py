"""The one HTTP layer every connector shares: timeouts, retries, Retry-After, paging, redaction.

Connectors get an injected `httpx.AsyncClient` (never one per call) wrapped in `ProviderHttp`.
Retries (tenacity) cover 429 (honouring Retry-After, capped), 5xx, timeouts and connection
errors; what is left after the retries becomes a typed `ConnectorError`. 401/403 are never
retried here: token schemes are `httpx.Auth` subclasses that refresh once on 401 themselves.

Time limits are the connection's `Timeouts` (option `timeout`), set once on `ProviderHttp`
and applied to every request, token exchanges included: one call with all its retries and
waits ends within `Timeouts.total`, so a provider that hangs fails with `Unreachable` in the
time the user configured. Callers never pass `timeout=` per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base

from connectors.errors import (
    BadCredentials,
    ConnectorError,
    InvalidInput,
    NoPermission,
    ProviderError,
    RateLimited,
    Unreachable,
)

__all__ = ["ItemsOf", "ProviderHttp", "RetryPolicy", "Timeouts", "redact"]

log = logging.getLogger(__name__)

ItemsOf = Callable[[Any], Iterable[Any]]
"""Where a page keeps its items, for pages that are not `{items_key: [...]}`."""

TIMEOUT_OPTION = "timeout"
_TOTAL = 120.0
_ATTEMPT = 30.0
_CONNECT = 10.0

_SECRET_KEYS = re.compile(
    r"(passw(or)?d|secret|token|api[_-]?key|access[_-]?key|authorization|x-auth-token|"
    r"x-token|private[_-]?key|jwt|code)", re.IGNORECASE)


def redact(url: str | httpx.URL) -> str:
    """A URL safe to log: secret-looking query values replaced by ***."""
    parsed = httpx.URL(str(url))
    if not parsed.query:
        return str(parsed)
    params = [(k, "***" if _SECRET_KEYS.search(k) else v) for k, v in parsed.params.multi_items()]
    return str(parsed.copy_with(params=params))


class RetryPolicy:
    """How many times and how long to wait; tests shrink the waits, never the logic."""

    def __init__(self, attempts: int = 4, backoff_base: float = 0.5, backoff_max: float = 20.0,
                 max_retry_after: float = 60.0) -> None:
        self.attempts = attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after


@dataclass(frozen=True, slots=True)
class Timeouts:
    """A connection's time limits, fixed when its connector is built.

    `total` bounds one call with all its retries and backoff waits; `attempt` bounds one try
    (httpx read/write/pool) and `connect` its connection, both also cut to what is left of
    `total`. The option `timeout` (seconds) sets `total` and `attempt`: a provider that hangs
    fails within that time, whatever the retry policy says.
    """

    total: float = _TOTAL
    attempt: float = _ATTEMPT
    connect: float = _CONNECT

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, provider: str = "") -> Timeouts:
        """The connection's `timeout` option, or the defaults; a bad value is the user's."""
        value = options.get(TIMEOUT_OPTION)
        if value is None:
            return cls()
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = 0.0
        if not 0 < seconds < float("inf"):
            raise InvalidInput(f"option {TIMEOUT_OPTION} must be a positive number of seconds, "
                               f"not {value!r}", provider=provider)
        return cls(total=seconds, attempt=seconds, connect=min(_CONNECT, seconds))

    def for_attempt(self, remaining: float) -> httpx.Timeout:
        """httpx limits for one try with `remaining` seconds of the call's budget left."""
        left = max(remaining, 0.001)
        return httpx.Timeout(min(self.attempt, left), connect=min(self.connect, left))


class _StopAtDeadline(stop_base):
    """Stop retrying when the next wait would end past the call's deadline."""

    def __init__(self, deadline: float, wait: Callable[[RetryCallState], float]) -> None:
        self.deadline = deadline
        self.wait = wait

    def __call__(self, retry_state: RetryCallState) -> bool:
        return time.monotonic() + self.wait(retry_state) >= self.deadline


class _Retryable(Exception):
    def __init__(self, error: ConnectorError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class ProviderHttp:
    """Requests to one provider through a shared client, with the shared error rules."""

    def __init__(self, client: httpx.AsyncClient, provider: str,
                 policy: RetryPolicy | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None, *,
                 timeouts: Timeouts | None = None) -> None:
        self.client = client
        self.provider = provider
        self.policy = policy or RetryPolicy()
        self.timeouts = timeouts or Timeouts()
        self._sleep = sleep

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.wait is not None:
            return exc.wait
        backoff = self.policy.backoff_base * (2 ** (state.attempt_number - 1))
        return float(min(self.policy.backoff_max, backoff))

    def _sleep_kwargs(self) -> dict[str, Any]:
        return {"sleep": self._sleep} if self._sleep else {}

    async def request(self, method: str, url: str, *, expected: tuple[int, ...] = (200,),
                      error_parser: Callable[[httpx.Response], str] | None = None,
                      check: Callable[[httpx.Response], None] | None = None,
                      **kwargs: Any) -> httpx.Response:
        """Send with retries within `timeouts.total`; return the response when its status is
        in `expected`. `check` looks at an accepted response inside the attempt: a
        `RateLimited` it raises (a limit the provider reports in the body, Beget's
        `LIMIT_ERROR`) is retried like HTTP 429, in the same budget."""
        if "timeout" in kwargs:
            raise TypeError("time limits are per connection: ProviderHttp(timeouts=...)")
        deadline = time.monotonic() + self.timeouts.total
        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self.policy.attempts),
                          _StopAtDeadline(deadline, self._wait)),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
            **self._sleep_kwargs(),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._once(method, url, expected, error_parser, kwargs,
                                                deadline)
                    if check is not None:
                        self._checked(check, response)
                    return response
        except _Retryable as exc:
            raise exc.error from None
        raise ProviderError("no attempt was made", provider=self.provider)  # pragma: no cover

    def _checked(self, check: Callable[[httpx.Response], None],
                 response: httpx.Response) -> None:
        try:
            check(response)
        except RateLimited as exc:
            if exc.retry_after is not None and exc.retry_after > self.policy.max_retry_after:
                raise
            raise _Retryable(exc, exc.retry_after) from exc

    def _timed_out(self, url: str) -> _Retryable:
        return _Retryable(Unreachable(
            f"timed out calling {redact(url)} (limit {self.timeouts.total:g} s)",
            provider=self.provider))

    async def _once(self, method: str, url: str, expected: tuple[int, ...],
                    error_parser: Callable[[httpx.Response], str] | None,
                    kwargs: dict[str, Any], deadline: float) -> httpx.Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out(url)
        try:
            # httpx limits each read; the outer timeout also covers a trickling body and the
            # requests an auth flow sends on its own (a login, a token refresh).
            async with asyncio.timeout(remaining):
                response = await self.client.request(
                    method, url, timeout=self.timeouts.for_attempt(remaining), **kwargs)
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise self._timed_out(url) from exc
        except httpx.TransportError as exc:
            raise _Retryable(Unreachable(f"cannot reach {redact(url)}: {type(exc).__name__}",
                                         provider=self.provider)) from exc
        log.debug("%s %s %s -> %s", self.provider, method, redact(response.request.url),
                  response.status_code)
        status = response.status_code
        if status in expected:
            return response
        detail = self._detail(response, error_parser)
        if status == 401:
            raise BadCredentials(detail, provider=self.provider)
        if status == 403:
            raise NoPermission(detail, provider=self.provider)
        if status == 429:
            retry_after = _retry_after_seconds(response)
            error = RateLimited(detail, provider=self.provider, retry_after=retry_after)
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                raise error
            raise _Retryable(error, retry_after)
        if status >= 500:
            raise _Retryable(ProviderError(f"HTTP {status}: {detail}", provider=self.provider))
        raise ProviderError(f"HTTP {status}: {detail}", provider=self.provider)

    @staticmethod
    def _detail(response: httpx.Response,
                error_parser: Callable[[httpx.Response], str] | None) -> str:
        if error_parser is not None:
            try:
                return error_parser(response)
            except Exception:  # noqa: BLE001 - a broken error body must not hide the status
                log.debug("error body not parseable", exc_info=True)
        return response.text[:300].strip()

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Request and decode JSON; a body that is not JSON is a ProviderError, not a crash."""
        response = await self.request(method, url, **kwargs)
        return self.decode(response)

    def decode(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProviderError(
                f"malformed JSON from {redact(response.request.url)}: {response.text[:120]!r}",
                provider=self.provider) from exc

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.json("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Any:
        return await self.json("POST", url, **kwargs)

    async def paginate_token(self, url: str, *, items_key: str | ItemsOf,
                             token_param: str = "pageToken", next_key: str = "nextPageToken",
                             params: Mapping[str, Any] | None = None, max_pages: int = 10_000,
                             **kwargs: Any) -> AsyncIterator[Any]:
        """Token paging (Yandex `pageToken`/`nextPageToken`; Cloud.ru billing
        `page_filter.page_token`, inventory `page_token`, both answering `next_page_token`).

        `items_key` names the page's list, or is a function finding the items in a page of
        another shape (a bare list, one of several keys); it raises on a page it cannot read.
        A page that is not an object has no next token and ends the paging."""
        query = dict(params or {})
        for _ in range(max_pages):
            body = await self.get(url, params=query, **kwargs)
            if callable(items_key):
                items: Iterable[Any] = items_key(body)
            else:
                items = self._expect_object(body, url).get(items_key) or []
            for item in items:
                yield item
            token = body.get(next_key) if isinstance(body, dict) else None
            if not token:
                return
            query[token_param] = token

    async def paginate_links(self, url: str, *, items_key: str, links_key: str,
                             params: Mapping[str, Any] | None = None, max_pages: int = 10_000,
                             **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """OpenStack paging: follow `<items>_links[rel=next].href` until there is none."""
        next_url: str | None = url
        query: Mapping[str, Any] | None = params
        for _ in range(max_pages):
            if next_url is None:
                return
            body = self._expect_object(await self.get(next_url, params=query, **kwargs), url)
            for item in body.get(items_key) or []:
                yield item
            next_url = None
            query = None
            for link in body.get(links_key) or []:
                if isinstance(link, dict) and link.get("rel") == "next":
                    next_url = str(link.get("href"))

    async def paginate_offset(self, url: str, *, items_key: str, total_key: str = "total_count",
                              limit: int = 100, params: Mapping[str, Any] | None = None,
                              max_pages: int = 10_000,
                              **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """Offset/limit paging with a total count (Beget v1)."""
        offset = 0
        for _ in range(max_pages):
            query = {**(params or {}), "offset": offset, "limit": limit}
            body = self._expect_object(await self.get(url, params=query, **kwargs), url)
            items = body.get(items_key) or []
            for item in items:
                yield item
            offset += len(items)
            total = body.get(total_key)
            if not items or (total is not None and offset >= int(total)):
                return

    def _expect_object(self, body: Any, url: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ProviderError(f"unexpected response shape from {redact(url)}",
                                provider=self.provider)
        return body
