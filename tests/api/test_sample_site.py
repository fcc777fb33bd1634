"""The bundled sample site: the seed post as written, enough posts and authors to show behaviour."""

from __future__ import annotations

from tests.support.sites import BUNDLED_CONTENT, FIXTURES

SEED = FIXTURES / "seed" / "ai-security-and-the-end-of-silos.md"


def test_the_seed_post_ships_exactly_as_written():
    shipped = BUNDLED_CONTENT / "pages" / "blog" / "ai-security-and-the-end-of-silos.md"

    assert shipped.read_bytes() == SEED.read_bytes()


def test_the_site_has_enough_posts_authors_and_years(client):
    items = client.get("/api/posts?page_size=100").get_json()["items"]

    assert len(items) >= 13
    assert len({item["author"]["slug"] for item in items}) >= 3
    years = {item["date"][:4] for item in items}
    assert {"2024", "2025"} <= years
    assert client.get("/healthz").get_json()["contentErrors"] == []


def test_healthz_counts_posts_and_authors(client):
    health = client.get("/healthz").get_json()

    assert health["status"] == "ok"
    assert health["posts"] == 14
    assert health["authors"] == 3
    assert len(health["contentVersion"]) == 32
    assert health["loadedAt"].endswith("Z")
    assert health["skippedFiles"] == 0


def test_the_readme_documents_every_setting():
    from api.settings import ENVIRONMENT_VARIABLES
    from tests.support.sites import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    for variable in ENVIRONMENT_VARIABLES:
        assert f"| `{variable}` |" in readme, variable
