"""The search index follows the snapshot: add, edit, delete, incremental updates, fork."""

from __future__ import annotations

import json
import os
from pathlib import Path

from api import create_app
from api.content.live.loading import load_content
from api.content.model.snapshot import Snapshot
from api.search import (
    SearchIndex,
    derive_search_index,
    parse_query,
    search_index,
    text_reader,
)
from api.search.search_index import describe

QUERIES = [
    "incident",
    "silos",
    "kubern",
    "security teams",
    '"war room"',
    "jason",
    "obsrvability",
    "zebra",
    "giraffe",
    "quokka",
]


def post(title: str, body: str, author: str = "jason-hand", date: str = "2025-02-01") -> str:
    return (
        f"---\ntype: PostLayout\ntitle: {title}\ndate: '{date}'\n"
        f"author: content/data/team/{author}.json\n---\n{body}\n"
    )


def answers(index: SearchIndex) -> dict[str, tuple[int, list[str]]]:
    """Each query's total and hit paths (in order)."""
    found = {}
    for q in QUERIES:
        results = index.search(parse_query(q), limit=100)
        found[q] = (results.total, [hit.path for hit in results.hits])
    return found


def matches(index: SearchIndex) -> dict[str, tuple[int, set[str]]]:
    return {q: (total, set(paths)) for q, (total, paths) in answers(index).items()}


def snapshot_of(root: Path) -> Snapshot:
    return Snapshot.build(load_content(root, 1 << 20).state)


def search_slugs(client, q: str) -> list[str]:
    return [
        hit["slug"] for hit in client.get("/api/search", query_string={"q": q}).get_json()["items"]
    ]


def test_search_follows_add_edit_and_delete(site):
    app = create_app({"content_dir": site})
    client = app.test_client()
    repository = app.extensions["content"]
    path = site / "pages/blog/zoo.md"
    assert search_slugs(client, "zebra") == []

    path.write_text(post("Zoo Notes", "A zebra escaped."), encoding="utf-8")
    repository.reload()
    assert search_slugs(client, "zebra") == ["zoo"]

    path.write_text(post("Zoo Notes", "A giraffe escaped."), encoding="utf-8")
    repository.reload()
    assert search_slugs(client, "zebra") == []
    assert search_slugs(client, "giraffe") == ["zoo"]

    path.unlink()
    repository.reload()
    assert search_slugs(client, "giraffe") == []
    assert search_slugs(client, "zoo notes") == []


def test_an_updated_index_matches_a_full_build(site):
    before = snapshot_of(site)
    old = SearchIndex.build(before.pages_by_path.values(), text_reader(before))
    old_answers = answers(old)
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A zebra and a quokka."), "utf-8")
    (site / "pages/blog/retiring-the-war-room.md").write_text(
        post("Retiring the Giraffe", "The giraffe room."), "utf-8"
    )
    (site / "pages/blog/what-developer-advocates-owe-operators.md").unlink()
    after = snapshot_of(site)
    changed = {
        "pages/blog/zoo.md",
        "pages/blog/retiring-the-war-room.md",
        "pages/blog/what-developer-advocates-owe-operators.md",
    }

    updated = old.updated(changed, after.pages_by_path, text_reader(after))
    fresh = SearchIndex.build(after.pages_by_path.values(), text_reader(after))

    assert matches(updated) == matches(fresh)
    assert answers(old) == old_answers  # the old snapshot's index answers as before
    assert answers(updated)['"war room"'] == (0, [])
    assert answers(updated)["quokka"] == (1, ["pages/blog/zoo.md"])
    assert describe(updated)["documents"] == describe(fresh)["documents"]
    assert describe(updated)["generation"] == describe(old)["generation"] + 1


def test_nothing_changed_is_the_same_index(site):
    snapshot = snapshot_of(site)
    index = SearchIndex.build(snapshot.pages_by_path.values(), text_reader(snapshot))

    assert (
        index.updated({"data/config.json"}, snapshot.pages_by_path, text_reader(snapshot)) is index
    )


def test_a_renamed_author_is_found_by_the_new_name(site):
    before = snapshot_of(site)
    old = SearchIndex.build(before.pages_by_path.values(), text_reader(before))
    person = site / "data/team/wei-chen.json"
    data = json.loads(person.read_text())
    person.write_text(json.dumps({**data, "firstName": "Weiwei", "lastName": "Quokka"}), "utf-8")
    after = snapshot_of(site)

    updated = old.updated({"data/team/wei-chen.json"}, after.pages_by_path, text_reader(after))

    wei = {p for p, page in after.pages_by_path.items() if page.author_slug == "wei-chen"}
    assert {hit.path for hit in updated.search(parse_query("quokka"), limit=50).hits} == wei
    # Only the about page still names Wei Chen, in its text.
    assert [hit.path for hit in updated.search(parse_query("wei chen")).hits] == ["pages/about.md"]


def test_derived_on_first_use_across_several_reloads(site):
    first = snapshot_of(site)
    first_index = search_index(first)
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A zebra."), "utf-8")
    second = snapshot_of(site)
    derive_search_index(first, second, {"pages/blog/zoo.md"})
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A quokka."), "utf-8")
    third = snapshot_of(site)
    derive_search_index(second, third, {"pages/blog/zoo.md"})  # second was never searched

    third_index = search_index(third)

    assert describe(third_index)["generation"] == describe(first_index)["generation"] + 1
    assert [hit.path for hit in third_index.search(parse_query("quokka")).hits] == [
        "pages/blog/zoo.md"
    ]
    assert third_index.search(parse_query("zebra")).total == 0
    assert search_index(third) is third_index
    fresh = SearchIndex.build(third.pages_by_path.values(), text_reader(third))
    assert matches(third_index) == matches(fresh)


def test_two_updates_from_one_index_do_not_mix(site):
    base = snapshot_of(site)
    index = SearchIndex.build(base.pages_by_path.values(), text_reader(base))
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A zebra."), "utf-8")
    with_zebra = snapshot_of(site)
    first = index.updated({"pages/blog/zoo.md"}, with_zebra.pages_by_path, text_reader(with_zebra))
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A giraffe."), "utf-8")
    with_giraffe = snapshot_of(site)

    second = index.updated(
        {"pages/blog/zoo.md"}, with_giraffe.pages_by_path, text_reader(with_giraffe)
    )

    assert first.search(parse_query("zebra")).total == 1
    assert second.search(parse_query("zebra")).total == 0
    assert second.search(parse_query("giraffe")).total == 1


def test_many_changes_rebuild_instead_of_piling_up_replaced_documents(site):
    snapshot = snapshot_of(site)
    index = SearchIndex.build(snapshot.pages_by_path.values(), text_reader(snapshot))
    everything = set(snapshot.pages_by_path)

    updated = index.updated(everything, snapshot.pages_by_path, text_reader(snapshot))

    assert describe(updated)["generation"] == 0  # a new index, not a generation of the old one
    assert matches(updated) == matches(index)


def test_a_forked_worker_searches_the_parents_index_and_updates_its_own(site):
    snapshot = snapshot_of(site)
    index = SearchIndex.build(snapshot.pages_by_path.values(), text_reader(snapshot))
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A zebra."), "utf-8")
    later = snapshot_of(site)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            found = index.search(parse_query("silos")).total
            updated = index.updated({"pages/blog/zoo.md"}, later.pages_by_path, text_reader(later))
            answer = [found, updated.search(parse_query("zebra")).total]
        except BaseException as error:
            answer = [repr(error)]
        os.write(write, json.dumps(answer).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = json.loads(pipe.read() or '["the worker died"]')
    os.waitpid(pid, 0)

    assert answer == [index.search(parse_query("silos")).total, 1]
    assert index.search(parse_query("zebra")).total == 0  # the parent's index is untouched


def test_after_a_reload_only_the_changed_pages_are_indexed_again(site):
    app = create_app({"content_dir": site})
    repository = app.extensions["content"]
    first = search_index(repository.snapshot)
    (site / "pages/blog/zoo.md").write_text(post("Zoo", "A zebra."), "utf-8")
    person = site / "data/team/maria-garcia.json"
    person.write_text(person.read_text().replace('"Garcia"', '"Quokka"'), "utf-8")

    second = search_index(repository.reload())

    assert describe(second)["generation"] == describe(first)["generation"] + 1
    assert second.search(parse_query("zebra")).total == 1
    marias = {
        p
        for p, page in repository.snapshot.pages_by_path.items()
        if page.author_slug == "maria-garcia"
    }
    assert {hit.path for hit in second.search(parse_query("maria quokka"), limit=50).hits} == marias


def test_search_finds_a_renamed_author_whose_slug_is_their_own_field(make_site) -> None:
    """A person's slug may be their file's ``slug`` field, not the file name: the derived
    search index must still re-index their posts when their name changes."""
    import json

    from api import create_app

    person = "data/team/ada-file.json"
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "pages/blog/one.md": (
                "---\ntype: PostLayout\ntitle: One\ndate: '2024-01-01'\n"
                f"author: content/{person}\n---\nBody.\n"
            ),
            person: json.dumps({"type": "Person", "firstName": "Ada", "slug": "ada"}),
        }
    )
    app = create_app({"content_dir": root, "parse_cache_dir": None})
    client = app.test_client()
    assert client.get("/api/search?q=ada").get_json()["pagination"]["totalItems"] == 1
    (root / person).write_text(json.dumps({"type": "Person", "firstName": "Grace", "slug": "ada"}))
    app.extensions["content"].reload([person])

    fresh = create_app({"content_dir": root, "parse_cache_dir": None}).test_client()
    assert fresh.get("/api/search?q=grace").get_json()["pagination"]["totalItems"] == 1
    assert client.get("/api/search?q=grace").get_json()["pagination"]["totalItems"] == 1
