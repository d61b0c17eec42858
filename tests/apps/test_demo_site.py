"""The demo site points the widget's one script tag at the running assistant, and serves site/."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from burnout_assistant.apps.demo_site import (
    SITE_DIR,
    assistant_base_url,
    configure_page,
    running_demo_site,
)

PAGE = (
    '<head><script src="/other.js"></script></head><body>'
    '<script src="http://127.0.0.1:5005/webhooks/web/chat-widget.js"\n'
    '        data-server="http://127.0.0.1:5005" data-title="Praktijk" defer></script></body>'
)


def widget_tag(page: str) -> str:
    return re.search(r"<script[^>]*chat-widget[^>]*>", page).group(0)


def test_script_tag_points_at_the_given_assistant() -> None:
    page = configure_page(PAGE, "https://assistent.example.nl:8443/")
    tag = widget_tag(page)
    assert 'src="https://assistent.example.nl:8443/webhooks/web/chat-widget.js"' in tag
    assert 'data-server="https://assistent.example.nl:8443"' in tag
    assert 'data-title="Praktijk"' in tag and tag.endswith("defer>")
    assert '<script src="/other.js">' in page  # other scripts are left alone


def test_missing_data_server_is_added_and_values_are_escaped() -> None:
    page = "<script src='chat-widget.js'></script>"
    tag = widget_tag(configure_page(page, 'http://h:1/"><img src=x>'))
    assert tag.count("<") == 1 and "&quot;&gt;&lt;img" in tag
    assert 'data-server="http://h:1/&quot;&gt;&lt;img src=x&gt;"' in tag


@pytest.mark.parametrize("url", ["", "127.0.0.1:5005", "javascript:alert(1)", "ftp://host"])
def test_only_http_assistant_urls_are_accepted(url: str) -> None:
    with pytest.raises(ValueError):
        assistant_base_url(url)


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], ""


def test_server_serves_the_configured_page_and_its_assets_only() -> None:
    with running_demo_site(0, "http://127.0.0.1:5999") as base:
        assert base.startswith("http://127.0.0.1:")
        status, kind, body = fetch(base + "/")
        assert status == 200 and kind.startswith("text/html")
        tag = widget_tag(body)
        assert 'src="http://127.0.0.1:5999/webhooks/web/chat-widget.js"' in tag
        assert 'data-server="http://127.0.0.1:5999"' in tag
        assert body.count("<script") == 1  # the widget is embedded with one script tag
        assert not re.search(r"(src|href)=\"https?://(?!127\.0\.0\.1:5999)", body)  # no CDN
        status, kind, css = fetch(base + "/style.css")
        assert status == 200 and kind.startswith("text/css")
        assert css == (SITE_DIR / "style.css").read_text()
        assert fetch(base + "/niet-bestaand.html")[0] == 404
        assert fetch(base + "/../burnout_assistant/apps/demo_site.py")[0] == 404
        assert fetch(base + "/%2e%2e/pyproject.toml")[0] == 404
