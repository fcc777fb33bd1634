"""Fallback is decided per document and per field, the same way in every answer: a property
test over generated sites of several locales.

Each example writes a site (English by default, German, Swiss German falling back to German,
French falling back to English) whose posts have random translations, each with a random
subset of the fields; some posts exist only in German. For every locale it reads each post
in every place the API shows it (its own answer, the post list, a section of the home page,
its tag's and its author's lists, the JSON Feed, a search hit) and checks that:

- every place shows the same value of every field it shows;
- each field is the value of the first version along the locale's chain that has it, the
  version served is the first that exists, and ``fallbackFields`` names exactly the fields
  filled from further along the chain (the body never);
- a post appears in a locale exactly when a version of it is along that locale's chain.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from api import create_app

LOCALES = {
    "defaultLocale": "en",
    "locales": [
        {"code": "en"},
        {"code": "de"},
        {"code": "de-CH", "fallback": "de"},
        {"code": "fr"},
    ],
}
CHAINS = {"en": ["en"], "de": ["de", "en"], "de-CH": ["de-CH", "de", "en"], "fr": ["fr", "en"]}
OPTIONAL = ("excerpt", "date", "tags", "author", "featuredImage")
PEOPLE = ("jane-doe", "max-muster")
TAGS = ("gardens", "news", "rain", "Gärten")
DAYS = [f"2025-0{month}-1{day}" for month in range(1, 10) for day in range(10)]

# One version of a post: which of the optional fields it has, and their values.
VERSION = st.fixed_dictionaries(
    {},
    optional={
        "excerpt": st.sampled_from(["Short.", "A longer excerpt.", "Kurz."]),
        "date": st.sampled_from(DAYS),
        "tags": st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True),
        "author": st.sampled_from(PEOPLE),
        "featuredImage": st.sampled_from(["/images/a.jpg", "/images/b.jpg"]),
    },
)
# A post: its versions by locale (English: always, but for the posts only in German).
POST = st.one_of(
    st.fixed_dictionaries(
        {"en": VERSION.map(lambda v: {**v, "date": v.get("date", "2025-01-01")})},
        optional={"de": VERSION, "de-CH": VERSION, "fr": VERSION},
    ),
    st.fixed_dictionaries(  # only in German: its German version is its whole chain's date
        {"de": VERSION.map(lambda v: {**v, "date": v.get("date", "2025-02-01")})},
        optional={"de-CH": VERSION},
    ),
)
SITES = st.lists(POST, min_size=1, max_size=4)
# People: the German version of each may give another role and first name.
PERSON_DE = st.booleans()


def write_site(root: Path, posts: list[dict[str, dict[str, Any]]], german: list[bool]) -> Path:
    content = root / "content"
    (content / "pages/blog").mkdir(parents=True)
    (content / "data/team").mkdir(parents=True)
    (content / "data/locales.json").write_text(json.dumps(LOCALES), encoding="utf-8")
    (content / "data/config.json").write_text('{"type": "Config"}', encoding="utf-8")
    for slug, translated in zip(PEOPLE, german, strict=True):
        person = {"type": "Person", "firstName": slug.split("-")[0].title(), "role": "Editor"}
        (content / f"data/team/{slug}.json").write_text(json.dumps(person), encoding="utf-8")
        if translated:
            person = {"type": "Person", "firstName": "Deutsch", "role": "Redaktion"}
            (content / f"data/team/{slug}.de.json").write_text(json.dumps(person), "utf-8")
    home = (
        "---\ntype: PageLayout\ntitle: Home\nsections:\n"
        "  - type: RecentPostsSection\n    title: Recent\n    recentCount: 10\n---\n"
    )
    (content / "pages/index.md").write_text(home, encoding="utf-8")
    for number, versions in enumerate(posts):
        for code, fields in versions.items():
            suffix = "" if code == "en" else f".{code}"
            path = content / f"pages/blog/post-{number}{suffix}.md"
            path.write_text(front_matter(number, code, fields), encoding="utf-8")
    return content


def front_matter(number: int, code: str, fields: dict[str, Any]) -> str:
    lines = ["---", "type: PostLayout", f"title: doc{number} {code} title"]
    for name, value in fields.items():
        if name == "author":
            lines.append(f"author: content/data/team/{value}.json")
        elif name == "featuredImage":
            lines += ["featuredImage:", "  type: ImageBlock", f"  url: {value}"]
        else:
            lines.append(f"{name}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join([*lines, "---", f"Body of doc{number} in {code}.", ""])


def expected_post(versions: dict[str, dict[str, Any]], locale: str) -> dict[str, Any] | None:
    """What the contract says ``locale`` shows of a post: None when no version is along its
    chain; else the version served and each field from the first version that has it."""
    chain = [code for code in CHAINS[locale] if code in versions]
    if not chain:
        return None
    served = chain[0]
    fields: dict[str, Any] = {"title": f"{served} title"}  # the prefix: per example
    filled = []
    for name in OPTIONAL:
        holder = next((code for code in chain if name in versions[code]), None)
        if holder is not None:
            fields[name] = versions[holder][name]
            if holder != served:
                filled.append(name)
    return {"served": served, "fields": fields, "filled": sorted(filled)}


def get(client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return response.get_json(force=True)


def shown_fields(summary: dict[str, Any]) -> dict[str, Any]:
    """The fields a summary shows that the generated versions set, as the files wrote them."""
    found = {"title": summary["title"]}
    for name in ("excerpt", "date", "tags"):
        if summary.get(name):  # a summary's tags are [] where a post has none
            found[name] = summary[name]
    if "author" in summary:
        found["author"] = summary["author"]["slug"]
    if "featuredImage" in summary:
        found["featuredImage"] = summary["featuredImage"]["url"]
    return found


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the message names the versions
)
@given(posts=SITES, german=st.lists(PERSON_DE, min_size=2, max_size=2))
def test_every_place_shows_a_post_as_its_locales_chain_decides(posts, german, tmp_path_factory):
    content = write_site(tmp_path_factory.mktemp("locales"), posts, german)
    client = create_app({"content_dir": content, "parse_cache_dir": None}).test_client()
    health = get(client, "/healthz")
    assert health["contentErrors"] == [], health["contentErrors"]

    for locale in CHAINS:
        query = f"locale={locale}"
        listed = {
            p["title"].split()[0]: p
            for p in get(client, f"/api/posts?{query}&page_size=100")["items"]
        }
        home = "/" if locale == "en" else f"/{locale}"
        page = get(client, f"/api/pages?path={home}&{query}")
        section = {p["title"].split()[0]: p for p in page["sections"][0]["posts"]}
        feed = {
            item["title"].split()[0]: item
            for item in get(client, f"/api/feed.json?{query}")["items"]
        }

        for number, versions in enumerate(posts):
            name = f"doc{number}"
            expected = expected_post(versions, locale)
            if expected is None:
                assert name not in listed and name not in section and name not in feed
                continue
            served, want = expected["served"], expected["fields"]
            want["title"] = f"{name} {served} title"
            summary = listed[name]
            post = get(client, f"/api/posts/{summary['slug']}?{query}")

            # The version served and the fields filled from the chain.
            assert post["locale"] == summary["locale"] == served, (locale, versions)
            assert sorted(post.get("fallbackFields", [])) == expected["filled"], (locale, versions)
            assert shown_fields(post) == want, (locale, versions)
            assert post["html"] == f"<p>Body of {name} in {served}.</p>"  # never merged

            # Every other place shows the same fields.
            for place, found in (("list", summary), ("section", section[name])):
                assert shown_fields(found) == want, (place, locale, versions)
                assert found["url"] == post["url"] and found["slug"] == post["slug"], place
            if "author" in want:
                person = get(client, f"/api/authors/{want['author']}?{query}")
                assert post["author"]["name"] == person["name"], (locale, versions)
                by_author = get(
                    client, f"/api/authors/{want['author']}/posts?{query}&page_size=100"
                )
                assert any(shown_fields(p) == want for p in by_author["items"]), locale
            for tag in want.get("tags", []):
                slug = next(
                    t["slug"]
                    for t in get(client, f"/api/tags?{query}")["items"]
                    if t["name"] == tag or t["slug"] == tag.lower()
                )
                tagged = get(client, f"/api/tags/{slug}/posts?{query}&page_size=100")["items"]
                assert any(shown_fields(p) == want for p in tagged), (tag, locale, versions)
            item = feed[name]
            assert item["url"].endswith(post["url"]) and item.get("summary") == want.get("excerpt")
            assert item.get("tags", []) == want.get("tags", []), (locale, versions)
            hits = get(client, f"/api/search?q={name}&{query}")["items"]
            assert [(h["title"], h["url"], h.get("excerpt"), h["locale"]) for h in hits] == [
                (want["title"], post["url"], want.get("excerpt"), served)
            ], (locale, versions)
