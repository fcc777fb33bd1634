"""Rendering Markdown bodies: HTML, heading anchors, table of contents, word counts."""

from __future__ import annotations

from api.content.model.rendering import count_words, reading_time, render_markdown


def test_code_fences_are_escaped_never_markup():
    rendered = render_markdown('```html\n<div id="x"><script>alert(1)</script></div>\n```\n')

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert rendered.html.startswith('<pre><code class="language-html">')


def test_headings_get_ids_and_a_flat_toc():
    rendered = render_markdown(
        "## Café-style incident reviews\n\ntext\n\n### Step one\n\n## Wrap up\n"
    )

    assert '<h2 id="café-style-incident-reviews">Café-style incident reviews</h2>' in rendered.html
    assert [(e.id, e.title, e.level) for e in rendered.toc] == [
        ("café-style-incident-reviews", "Café-style incident reviews", 2),
        ("step-one", "Step one", 3),
        ("wrap-up", "Wrap up", 2),
    ]


def test_tables_render():
    rendered = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")

    assert "<table>" in rendered.html
    assert "<td>1</td>" in rendered.html


def test_word_count_leaves_out_code_tags_and_link_targets():
    body = (
        "Two words [and a link](https://example.com/very/long/path).\n\n"
        "```python\nprint('x y z')\n```\n<br/>"
    )

    assert count_words(body) == 5


def test_reading_time_is_whole_minutes_at_least_one():
    assert reading_time(0) == 1
    assert reading_time(200) == 1
    assert reading_time(201) == 2


def test_bundled_post_with_code_renders_its_jsx_and_html_as_text(client):
    post = client.get("/api/posts/embedding-live-status-widgets-in-your-docs").get_json()

    assert 'class="language-jsx"' in post["html"]
    assert 'class="language-html"' in post["html"]
    assert "<script" not in post["html"]
    assert "&lt;script" in post["html"]


def test_bundled_post_toc_matches_its_headings(client):
    post = client.get("/api/posts/blameless-postmortems-without-the-theater").get_json()

    assert post["toc"]
    for entry in post["toc"]:
        assert f'<h{entry["level"]} id="{entry["id"]}">' in post["html"]
    assert any(entry["title"] == "Café-style incident reviews" for entry in post["toc"])
