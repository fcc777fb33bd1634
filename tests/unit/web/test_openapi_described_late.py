"""The OpenAPI document is described when first read (``api.web.openapi.ContentApi``): the
same document as one described at once, and a description that fails fails every read,
never leaving a document that quietly lacks the part that failed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Blueprint

from api.web.openapi import ContentApi


def _app() -> tuple[Flask, ContentApi]:
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    return app, ContentApi(app)


def _blueprint(name: str) -> Blueprint:
    blueprint = Blueprint(name, __name__, url_prefix=f"/{name}", description=f"The {name}.")

    @blueprint.route("/")
    class Items(MethodView):
        @blueprint.response(200)
        def get(self) -> dict:
            return {}

    return blueprint


def test_nothing_is_described_until_the_document_is_read() -> None:
    app, api = _app()
    api.register_blueprint(_blueprint("posts"))
    api.register_blueprint(_blueprint("tags"))
    assert app.test_client().get("/posts/").status_code == 200  # routed at once
    assert len(api._undocumented) == 2
    paths = list(api.spec.to_dict()["paths"])
    assert paths == ["/posts/", "/tags/"]  # in the order they were registered
    assert [tag["name"] for tag in api.spec.to_dict()["tags"]] == ["posts", "tags"]


def test_a_description_that_fails_fails_every_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _, api = _app()
    broken = _blueprint("posts")
    api.register_blueprint(broken)
    api.register_blueprint(_blueprint("tags"))

    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("a schema the converter cannot describe")

    monkeypatch.setattr(broken, "register_views_in_doc", fail)
    for _ in range(2):
        with pytest.raises(ValueError, match="cannot describe"):
            api.spec  # noqa: B018
