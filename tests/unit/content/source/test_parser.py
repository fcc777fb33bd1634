"""Property tests for the loader: whatever front matter YAML's safe loader accepts either
loads or becomes a reported content error; nothing ever escapes as an exception, and what
is served validates against the OpenAPI document."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.content.documents import Documents
from api.content.live.loading import LoadedContent, load_content
from api.content.model.snapshot import Snapshot
from api.content.source.parser import parse_source
from api.content.source.problems import Severity
from api.content.source.reading import SourceFile
from api.schemas.answers.page_answers import PageDocumentSchema
from api.schemas.model.layouts import PostSchema
from tests.support.spec import committed_spec, component_validator

FIELD_NAMES = st.sampled_from(
    [
        "type", "title", "date", "author", "excerpt", "featuredImage", "media", "bottomSections",
        "sections", "colors", "tags", "isDraft", "url", "recentCount", "variant", "styles",
        "posts", "layout", "backgroundImage", "opacity", "aspectRatio", "elementId",
    ]
)  # fmt: skip
TYPE_NAMES = st.sampled_from(
    ["PostLayout", "PageLayout", "RecentPostsSection", "FeaturedPostsSection", "ImageBlock",
     "VideoBlock", "HeroSection", "Unknown", "Button", "Link"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | TYPE_NAMES
    | st.sampled_from(["2024-01-01", "2024-13-45", "16:9", "content/data/team/a.json", "../x"])
)
KEYS = FIELD_NAMES | st.text(max_size=8) | st.integers(-3, 3) | st.booleans()
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS, children, max_size=5)
        | st.builds(
            lambda t, d: {"type": t, **d},
            TYPE_NAMES,
            st.dictionaries(FIELD_NAMES, children, max_size=4),
        )
    ),
    max_leaves=25,
)
FRONT_MATTER = (
    st.builds(
        lambda kind, extra: {"type": kind, **extra},
        st.sampled_from(["PostLayout", "PageLayout", "ProjectLayout", "PostFeedLayout", "Nope"]),
        st.dictionaries(FIELD_NAMES, VALUES, max_size=8),
    )
    | VALUES
)


def as_markdown(front_matter: object, body: str) -> bytes:
    text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\n{body}\n".encode()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(front_matter=FRONT_MATTER, body=st.text(max_size=200))
def test_any_safe_yaml_front_matter_loads_or_is_reported(front_matter, body):
    source = SourceFile("pages/blog/generated.md", as_markdown(front_matter, body))
    yaml.safe_load(source.data.decode().split("---\n")[1])  # the safe loader accepts it

    parsed = parse_source(source)

    if parsed.blob is None:
        assert [p.severity for p in parsed.problems] == [Severity.ERROR]
    loaded = load_alone(source)
    for problem in loaded.problems:
        assert problem.path == "pages/blog/generated.md"
        assert problem.line >= 1
        assert problem.message
    if "pages/blog/generated.md" in loaded.files:
        assert_serves_as_json(loaded)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=300))
def test_any_text_as_front_matter_loads_or_is_reported(text):
    source = SourceFile("pages/generated.md", f"---\n{text}\n---\nbody\n".encode())

    parsed = parse_source(source)

    assert parsed.blob is not None or any(p.severity is Severity.ERROR for p in parsed.problems)
    loaded = load_alone(source)
    if "pages/generated.md" in loaded.files:
        assert_serves_as_json(loaded)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=300))
def test_any_bytes_load_or_are_reported(data):
    for path in ("pages/blog/bytes.md", "data/team/bytes.json", "data/config.json"):
        parsed = parse_source(SourceFile(path, data))
        assert parsed.blob is not None or any(p.severity is Severity.ERROR for p in parsed.problems)


def load_alone(source: SourceFile) -> LoadedContent:
    """Load a content folder holding only ``source``, as the server would."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / source.path
        path.parent.mkdir(parents=True)
        path.write_bytes(source.data)
        return load_content(Path(folder), 1 << 20)


COMMITTED = committed_spec()
VALIDATORS = {
    name: component_validator(COMMITTED, name) for name in ("Post", "PageDocument", "PostSummary")
}


def assert_serves_as_json(loaded: LoadedContent) -> None:
    """What loaded is served: documents build and dump to JSON without an exception, and the
    OpenAPI document accepts them, whatever the front matter held."""
    snapshot = Snapshot.build(loaded.state)
    view, _ = snapshot.public_view()
    documents = Documents(snapshot, snapshot.preview)
    for page in snapshot.pages_by_path.values():
        for include_markdown in (False, True):
            document, _ = documents.page(page, include_markdown=include_markdown)
            schema = PostSchema() if page.type == "PostLayout" else PageDocumentSchema()
            served = orjson.loads(orjson.dumps(schema.dump(document)))
            name = "Post" if page.type == "PostLayout" else "PageDocument"
            error = next(VALIDATORS[name].iter_errors(served), None)
            assert error is None, (error.message, list(error.absolute_path), served)
    for summary in orjson.loads(orjson.dumps(documents.post_summaries(view.posts))):
        error = next(VALIDATORS["PostSummary"].iter_errors(summary), None)
        assert error is None, (error.message, list(error.absolute_path), summary)
