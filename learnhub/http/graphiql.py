"""GraphiQL served entirely by LearnHub itself: the page plus vendored, pre-gzipped assets.

Strawberry's built-in GraphiQL page loads React and GraphiQL from unpkg.com. Browsers on closed
networks (and our headless-Chromium tests) cannot reach it, so we serve the same files ourselves.
The files live in ``learnhub/static/graphiql/`` (see LICENSES.md there). They are stored gzip-compressed
because ``graphiql.min.js`` is 3.5 MB and the repository does not track files over 2 MiB.

Wire-up (Starlette)::

    Route("/static/graphiql/{name}", graphiql_asset, methods=["GET"])
    # and on GET /graphql for browsers: HTMLResponse(graphiql_html())
"""

from __future__ import annotations

import gzip
import html
import json
from collections.abc import Mapping
from importlib.resources import files
from string import Template
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

__all__ = ["ASSET_CONTENT_TYPES", "graphiql_asset", "graphiql_html", "wants_graphiql"]

_JS: Final = "application/javascript; charset=utf-8"
_CSS: Final = "text/css; charset=utf-8"

# The allow-list: public asset name -> Content-Type. The request path is only ever used as a key
# into this dict, never joined onto a filesystem path, so path traversal is impossible.
ASSET_CONTENT_TYPES: Final[dict[str, str]] = {
    "react.production.min.js": _JS,
    "react-dom.production.min.js": _JS,
    "graphiql.min.js": _JS,
    "graphiql.min.css": _CSS,
}

# Vendored files are unversioned in their URL but never change for a given LearnHub build; a year of
# immutable caching means a browser fetches the 1 MB of gzip once. (Upgrading GraphiQL therefore
# needs a new asset_prefix or URL, see LICENSES.md.)
_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"

# Bytes read from the package, keyed by (name, gzipped?). Read lazily, so processes that never serve
# GraphiQL (production has it off) pay nothing, and then kept for the process lifetime.
_cache: dict[tuple[str, bool], bytes] = {}

# Shown in the query editor until the user has typed something (GraphiQL keeps that in localStorage).
# Lines stay under 50 characters so they fit the editor's half of a laptop screen unwrapped. The
# example is unnamed: GraphiQL keeps sending a named operation's name for a moment after the text
# is replaced, and a query typed over it then failed with "Unknown operation named ...".
_DEFAULT_QUERY: Final = """\
# Welcome to the LearnHub API explorer.
#
# Write a query here: Ctrl-Space completes,
# errors show inline, and the Docs button
# (left) browses every type and field.
# Run it with Ctrl-Enter or the play button.
#
# Signed-in operations need a token: in the
# Headers tab below, add
#   {"Authorization": "Bearer <access token>"}
# (kept in this browser between visits).
#
# An example that needs no sign-in: the first
# page of the catalogue.
{
  courses(first: 5) {
    totalCount
    nodes { contentId title level lessonCount }
  }
}
"""

# `$name` placeholders (string.Template) because the page's JavaScript and CSS are full of braces.
# Deliberately no URL other than the injected, same-origin ones: the page must work offline.
_PAGE: Final = Template("""\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>LearnHub GraphiQL</title>
    <!-- An empty inline icon stops the browser requesting /favicon.ico. -->
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="$prefix/graphiql.min.css">
    <style>
      body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL&hellip;</div>
    <script src="$prefix/react.production.min.js"></script>
    <script src="$prefix/react-dom.production.min.js"></script>
    <script src="$prefix/graphiql.min.js"></script>
    <script>
      (function () {
        "use strict";
        var endpoint = $endpoint;
        // Resolve against the page so relative endpoints work behind a path prefix.
        var url = new URL(endpoint, window.location.href);
        var wsUrl = new URL(url.href);
        wsUrl.protocol = url.protocol.replace("http", "ws"); // "http" -> "ws", "https" -> "wss"
        var fetcher = GraphiQL.createFetcher({
          url: url.href,
          // Per-user headers (Authorization) come from the Headers tab and are merged over these.
          headers: {},
          // Only used when a subscription runs; the websocket is not opened before that.
          subscriptionUrl: wsUrl.href
        });
        var root = ReactDOM.createRoot(document.getElementById("graphiql"));
        root.render(
          React.createElement(GraphiQL, {
            fetcher: fetcher,
            defaultQuery: $default_query,
            defaultEditorToolsVisibility: true,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: true,
            inputValueDeprecation: true
          })
        );
      })();
    </script>
  </body>
</html>
""")


# Characters that could close or confuse an inline <script>, as JSON/JS unicode escapes.
_SCRIPT_SAFE: Final = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _js_literal(value: str) -> str:
    """Encode a string as a JavaScript literal that is safe inside an inline <script>.

    JSON escapes quotes and (with ensure_ascii) U+2028/U+2029; escaping < > & as well means a value
    containing ``</script>`` or ``<!--`` cannot end or corrupt the script element.
    """
    return json.dumps(value, ensure_ascii=True).translate(_SCRIPT_SAFE)


def graphiql_html(endpoint: str = "/graphql", asset_prefix: str = "/static/graphiql") -> str:
    """Return the complete GraphiQL HTML page, which loads only LearnHub's local assets.

    ``endpoint`` is the GraphQL URL the page queries (relative URLs resolve against the page).
    ``asset_prefix`` is where ``graphiql_asset`` is mounted; the page requests
    ``{asset_prefix}/react.production.min.js`` and so on, without the ``.gz`` of the stored files.
    """
    return _PAGE.substitute(
        prefix=html.escape(asset_prefix.rstrip("/"), quote=True),
        endpoint=_js_literal(endpoint),
        default_query=_js_literal(_DEFAULT_QUERY),
    )


def wants_graphiql(method: str, query_params: Mapping[str, object], headers: Mapping[str, str]) -> bool:
    """Whether a request to the GraphQL endpoint is a browser opening the page.

    Only a GET that asks for HTML and carries no operation: not a `query`, and not a persisted
    query's `extensions` (Apollo's GET with only the hash). Strawberry's own rule also serves the page
    for `Accept: */*`, which is what HTTP clients send by default, so such a client asking for a
    persisted query got HTML instead of its result.
    """
    return (
        method == "GET"
        and "text/html" in headers.get("accept", "")
        and query_params.get("query") is None
        and query_params.get("extensions") is None
    )


def _read_asset(name: str, gzipped: bool) -> bytes:
    """Read one vendored file from the installed package (blocking; run in a worker thread)."""
    # importlib.resources rather than __file__ so this also works from zipped or unusual installs.
    data = files("learnhub").joinpath("static", "graphiql", f"{name}.gz").read_bytes()
    return data if gzipped else gzip.decompress(data)


async def _asset_bytes(name: str, gzipped: bool) -> bytes:
    """Return a cached asset, reading it on first use without blocking the event loop."""
    key = (name, gzipped)
    body = _cache.get(key)
    if body is None:
        # Two concurrent first requests may both read the file; they get identical bytes, and that
        # is cheaper than a lock on every request.
        body = await run_in_threadpool(_read_asset, name, gzipped)
        _cache[key] = body
    return body


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110 section 12.5.3), honouring q=0.

    A missing or empty header counts as "no": sending plain bytes is always safe, while gzip to a
    client that did not ask for it is not.
    """
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        if coding in {"gzip", "x-gzip"}:
            gzip_q = q
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


async def graphiql_asset(request: Request) -> Response:
    """Serve a vendored GraphiQL asset for the route ``/static/graphiql/{name}``.

    The stored gzip bytes go out as they are, with ``Content-Encoding: gzip``. Clients whose
    Accept-Encoding does not allow gzip get the decompressed bytes. Names outside the allow-list
    get 404.
    """
    name = request.path_params.get("name", "")
    content_type = ASSET_CONTENT_TYPES.get(name)
    if content_type is None:
        return PlainTextResponse("Not Found", status_code=404)

    gzipped = _accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {
        "Cache-Control": _CACHE_CONTROL,
        # The body depends on Accept-Encoding, so shared caches must key on it.
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    body = await _asset_bytes(name, gzipped)
    return Response(body, media_type=content_type, headers=headers)
