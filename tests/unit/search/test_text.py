"""Markdown to searchable text: prose apart from code, link targets, tags and entities left
out."""

from __future__ import annotations

import pytest

from api.search.text import body_text, display_text


def test_code_fences_are_kept_apart_from_prose():
    text = body_text("Intro words.\n\n```bash\nkubectl get pods\n```\n\nOutro words.\n")

    assert "kubectl" not in text.prose and "Intro words." in text.prose
    assert "Outro words." in text.prose
    assert text.code == "kubectl get pods"


@pytest.mark.parametrize(
    ("markdown", "kept", "dropped"),
    [
        ("See [the docs](https://example.com/docs) now.", "See the docs now.", "https"),
        ("![A diagram](/img/arch.png)", "A diagram", "arch"),
        ("Text <span class='x'>inside</span> tags.", "inside", "span"),
        ("Fish &amp; chips", "Fish & chips", "amp"),
        ("[ref]: https://example.com/ref\nBody.", "Body.", "example"),
        ("<!-- a comment -->Visible", "Visible", "comment"),
    ],
)
def test_link_targets_tags_and_entities_are_not_text(markdown, kept, dropped):
    prose = display_text(body_text(markdown).prose)

    assert kept in prose
    assert dropped not in prose


def test_display_text_drops_markdown_punctuation():
    markdown = (
        "## A heading\n\n- **bold** and *em* and `code`, and snake_case\n> quoted\n\n"
        "| a | b |\n|---|---|"
    )

    assert display_text(body_text(markdown).prose) == (
        "A heading bold and em and code, and snake_case quoted a b"
    )
