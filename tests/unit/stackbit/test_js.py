"""JavaScript's rules as the Stackbit themes' builds apply them: the body after the front matter,
URL paths and CSS classes of each generation, truthiness, slices, dates and glob order."""

from __future__ import annotations

import math

import pytest

from api.stackbit.content_ts import markdown_content, url_path
from api.stackbit.js import date_milliseconds, locale_order, slice_end, truthy
from api.stackbit.sourcebit import page_css_classes
from api.stackbit.sourcebit import url_path as sourcebit_url_path


@pytest.mark.parametrize(
    ("after", "body"),
    [
        ("Lorem\n", "Lorem\n"),
        ("\n\nLorem\n", "Lorem\n"),
        ("  \n\t\n  indented\n", "  indented\n"),
        ("\r\n\r\nLorem\r\n", "Lorem\r\n"),
        ("\n  \n", ""),
        ("", ""),
    ],
)
def test_the_personal_themes_body_drops_blank_lines_before_it(after, body):
    assert markdown_content(after) == body


def test_urls_and_css_classes_follow_each_generations_path_rules():
    assert url_path("content/pages/blog/index.md") == "/blog"
    assert url_path("content/pages/index.md") == "/"
    assert url_path("content/pages/blog/v1.2-notes.md") == "/blog/v1"  # fileToUrl cuts at a dot
    assert sourcebit_url_path("blog/Post-Two.md") == "/blog/post-two"
    assert page_css_classes("blog/index.md") == ["page-blog", "page-blog-index"]


def test_javascripts_rules_for_truthiness_slices_and_dates():
    assert [truthy(v) for v in (0, "", None, False, math.nan, [], {}, "0")] == [
        False, False, False, False, False, True, True, True,
    ]  # fmt: skip
    assert [slice_end(v, 5) for v in (2, "2", 2.7, -1, "x", True, 9)] == [2, 2, 2, 4, 0, 1, 5]
    assert date_milliseconds("2021-06-28") == 1624838400000
    assert date_milliseconds("2021-06-28T10:00:00+02:00") == 1624867200000
    assert math.isnan(date_milliseconds("June 28"))
    assert math.isnan(date_milliseconds("2021-02-30"))


def test_glob_order_is_locale_order_not_code_points():
    names = ["B.md", "b.md", "B-2.md", "a_b.md", "a-b.md", "a.md", "ab.md", "a1.md"]

    assert sorted(names, key=locale_order) == [
        "a_b.md", "a-b.md", "a.md", "a1.md", "ab.md", "B-2.md", "b.md", "B.md",
    ]  # fmt: skip
