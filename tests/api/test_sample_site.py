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


def test_the_configuration_reference_documents_every_setting():
    """docs/operations/configuration.md holds the table generated from api/settings.py (a stale
    page fails here: `make docs` rewrites it), and every setting has its line."""
    import importlib.util

    from api.settings import _ENVIRONMENT, ENVIRONMENT_VARIABLES, SETTING_DOCS
    from tests.support.sites import ROOT

    spec = importlib.util.spec_from_file_location(
        "generate_configuration", ROOT / "docs" / "generate_configuration.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    page = (ROOT / "docs" / "operations" / "configuration.md").read_text(encoding="utf-8")

    assert set(SETTING_DOCS) == set(_ENVIRONMENT)
    assert all(line.strip() for line in SETTING_DOCS.values())
    assert page == generator.page_with_table(page), "stale: run make docs"
    for variable in ENVIRONMENT_VARIABLES:
        assert f"| `{variable}` |" in page, variable
