"""Author slugs laid over the base index's: read as a copy with the changes applied would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.search.authorship import AuthorSlugs


@settings(max_examples=200, deadline=None)
@given(
    base=st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from(["x", "y", None])),
    updates=st.lists(
        st.tuples(
            st.dictionaries(st.sampled_from("abcdefghij"), st.sampled_from(["x", "z", None])),
            st.sets(st.sampled_from("abcdefghij")),
        ),
        max_size=6,
    ),
)
def test_author_slugs_laid_over_their_base_read_as_a_copy_would(base, updates):
    slugs, model = AuthorSlugs(dict(base)), dict(base)
    for changed, removed in updates:
        removed = removed - changed.keys()  # an update indexes a path or removes it
        slugs = slugs.with_changes(changed, removed)
        model.update(changed)
        for path in removed:
            model.pop(path, None)
        assert dict(slugs) == model
        assert len(slugs) == len(model)
        assert all((path in slugs) == (path in model) for path in "abcdefghij")
