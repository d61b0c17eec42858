"""The practice's demo website (``site/``) with the chat widget, for local runs and browser tests.

Why a server and not a file:// page: the widget talks to the assistant across origins, and the
assistant only answers origins listed in ``channels.web.allowed_origins`` (CORS), so the page
must come from a real http origin. The page's one script tag is pointed at whichever assistant
URL is running now, so the same ``site/index.html`` works for ``./scripts/run`` and the tests.

    python -m burnout_assistant.apps.demo_site --port 8000 --assistant-url http://127.0.0.1:5005
"""

from __future__ import annotations

import argparse
import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SITE_DIR = Path(__file__).resolve().parents[2] / "site"
WIDGET_PATH = "/webhooks/web/chat-widget.js"
_WIDGET_TAG = re.compile(r"<script\b[^>]*chat-widget\.js[^>]*>", re.IGNORECASE)
_ATTRIBUTE = r'(\s{name}\s*=\s*)("[^"]*"|\'[^\']*\')'


def assistant_base_url(url: str) -> str:
    """The assistant's base URL without a trailing slash; ValueError unless http(s)://host."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"geen geldige assistent-URL: {url!r} (verwacht http(s)://host:poort)")
    return url.strip().rstrip("/")


def _set_attribute(tag: str, name: str, value: str) -> str:
    quoted = '"' + html.escape(value, quote=True) + '"'
    pattern = re.compile(_ATTRIBUTE.format(name=re.escape(name)), re.IGNORECASE)
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + quoted, tag, count=1)
    return tag[:-1].rstrip() + f" {name}={quoted}>"


def configure_page(page: str, assistant_url: str) -> str:
    """Point the widget's script tag (src and data-server) at ``assistant_url``."""
    base = assistant_base_url(assistant_url)

    def rewrite(match: re.Match[str]) -> str:
        tag = _set_attribute(match.group(0), "src", base + WIDGET_PATH)
        return _set_attribute(tag, "data-server", base)

    return _WIDGET_TAG.sub(rewrite, page)


class DemoSiteHandler(SimpleHTTPRequestHandler):
    """Static files from ``site/``; HTML pages get the configured widget tag; no listings."""

    assistant_url = "http://127.0.0.1:5005"

    def do_GET(self) -> None:
        if not self._send_page(with_body=True):
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._send_page(with_body=False):
            super().do_HEAD()

    def _send_page(self, with_body: bool) -> bool:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix != ".html":
            return False
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "Pagina niet gevonden")
            return True
        body = configure_page(path.read_text(encoding="utf-8"), self.assistant_url).encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)
        return True

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        super().end_headers()

    def list_directory(self, path: str | Path) -> None:  # type: ignore[override]
        self.send_error(HTTPStatus.NOT_FOUND, "Pagina niet gevonden")
        return None

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: request lines say nothing useful here and would clutter test output."""


def make_server(
    port: int, assistant_url: str, host: str = "127.0.0.1", site_dir: Path = SITE_DIR
) -> ThreadingHTTPServer:
    """A ready-to-serve HTTP server for ``site_dir`` (not yet serving)."""
    handler = type("ConfiguredDemoSiteHandler", (DemoSiteHandler,),
                   {"assistant_url": assistant_base_url(assistant_url)})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(site_dir)))
    server.daemon_threads = True
    return server


@contextmanager
def running_demo_site(
    port: int, assistant_url: str, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve the demo site in a background thread; yields its base URL; stops on exit."""
    server = make_server(port, assistant_url, host)
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m burnout_assistant.apps.demo_site",
        description="Serve the demo website of the practice with the chat widget.",
    )
    parser.add_argument("--port", type=int, default=None,
                        help="port (default: channels.web.demo_site_port in practice.yml)")
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--assistant-url", default="http://127.0.0.1:5005",
                        help="base URL of the Rasa server (default http://127.0.0.1:5005)")
    args = parser.parse_args(argv)
    try:
        assistant_base_url(args.assistant_url)
    except ValueError as error:
        parser.error(str(error))
    port = args.port
    if port is None:
        from burnout_assistant.settings import current_settings

        port = current_settings().channels.web.demo_site_port
    server = make_server(port, args.assistant_url, args.host)
    print(f"Demo website: http://{args.host}:{port}/ (assistent: {args.assistant_url})",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
