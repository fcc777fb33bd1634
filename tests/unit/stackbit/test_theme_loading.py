"""Files read as the themes' JavaScript loaders read them: js-yaml 3, JSON.parse, front-matter."""

from __future__ import annotations

import orjson
import pytest

from api.content.source.parsing import markdown_body
from api.stackbit.js_yaml import js_json_value, js_number_text, load_yaml_as_js
from api.stackbit.verbatim import data_verbatim, page_verbatim, read_verbatim


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("yes", "yes"),  # YAML 1.1 booleans are strings to js-yaml 3 ...
        ("on", "on"),
        ("True", True),  # ... only true/false are booleans
        ("~", None),
        ("", None),
        ("1e3", 1000),  # numbers without a dot
        ("1:30", 90),  # base 60
        ("190:20:30.15", 685230.15),
        ("0x1F", 31),
        ("010", 8),  # octal
        ("0b101", 5),
        ("1_000", 1000),
        ("+12", 12),
        (".5", 0.5),
        ("1.", 1),
        ("1.0", 1),  # a double: JSON.stringify writes 1
        ("0o17", "0o17"),
        ("2021-06-28", "2021-06-28"),  # dates stay text (see the module docstring)
        ("1e999", None),  # Infinity: JSON.stringify writes null
        ("12345678901234567890", 12345678901234567000),
        ("'1'", "1"),
        ("!!int '12'", 12),
    ],
)
def test_plain_scalars_resolve_as_js_yaml_3_resolves_them(scalar, expected):
    assert load_yaml_as_js(f"value: {scalar}\n") == {"value": expected}


def test_keys_are_strings_in_javascripts_order_and_merges_follow_js_yaml():
    text = "b: 1\n2: two\n1: one\n1e3: k\nbase: &base {x: 1, y: 2}\nmerged:\n  <<: *base\n  y: 3\n"

    loaded = load_yaml_as_js(text)

    assert list(loaded) == ["1", "2", "1000", "b", "base", "merged"]  # array indexes first
    assert loaded["merged"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (123.456, "123.456"),
        (1e21, "1e+21"),
        (1e20, "1" + "0" * 20),
    ],
)
def test_numbers_are_written_as_javascript_writes_them(number, text):
    assert js_number_text(number) == text


def test_json_data_is_read_as_json_parse_reads_it():
    data = orjson.loads('{"b": 1.0, "10": [2.5, 9007199254740993], "a": {"1": null}}')

    assert list(js_json_value(data).items()) == [
        ("10", [2.5, 9007199254740992]),
        ("b", 1),
        ("a", {"1": None}),
    ]
    assert read_verbatim(data_verbatim(data)).data == js_json_value(data)


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("---\ntitle: A\n---\nBody\n", "Body\n"),
        ("---\ntitle: A\n---\n\n\n  Body, space around \n\n", "\n\n  Body, space around \n\n"),
        ("\n\n---\ntitle: A\n---   \nBody", "Body"),
        ("---\ntitle: A\n---\n", ""),
        ("---\ntitle: A\n-----\nBody\n---\nmore\n", "Body\n---\nmore\n"),
    ],
)
def test_a_page_keeps_exactly_the_text_after_its_front_matter(text, after):
    verbatim = read_verbatim(page_verbatim("title: A\n", text))

    assert verbatim.data == {"title": "A"}
    assert verbatim.text_after is None  # the body is not kept twice
    assert verbatim.after_front_matter(markdown_body(text)) == after
