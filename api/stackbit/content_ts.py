"""``STACKBIT_COMPAT=content-ts``: themes whose data layer is ``src/utils/content.ts``.

The Personal theme (stackbit-themes/personal-nextjs-theme) and its generation:

- ``content.ts`` globs ``content/pages`` and ``content/data``. A page is its front
  matter (the ``front-matter`` package, js-yaml) and ``markdown_content`` (the
  body after the closing ``---`` line, blank lines before it dropped); a data file
  is its JSON. Each gets ``__metadata: {id, modelName}`` (``modelName`` is its
  ``type``); pages also ``urlPath``: the path under ``content/pages`` up to its
  first dot, ``/index`` dropped.
- ``resolveReferences`` walks every object that has a ``type`` (nothing below an
  object without one), gives it ``__metadata: {modelName}`` if it has none, and
  puts the referenced objects in place of the model's reference fields.
- ``static-props-resolvers.js`` walks ``{page, site}`` depth first, children
  before parents: a feed gets all posts (or projects) as ``items``, a
  ``RecentPostsSection`` the newest ``recentCount || 3`` posts (the page's own
  post included), a project its neighbours. Posts and projects sort by
  ``new Date(date)``, newest first, ties in glob order.
- ``static-paths-resolvers.js``: every page's ``urlPath``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from api.content.model import keys as k
from api.stackbit.js import date_milliseconds, locale_order, newest_first, slice_end, truthy
from api.stackbit.objects import MAX_DEPTH, AnswerTooLarge, finish, reference_fields
from api.stackbit.theme_files import (
    CONFIG_ID,
    PAGES_DIR,
    FactsCache,
    KeyRecorder,
    SiteFiles,
    ThemeFile,
    list_keys,
)

NAME = "content-ts"
_JS_WHITESPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(code) for code in range(0x2000, 0x200B)
}
_LINE_TERMINATORS = "\n\r\u2028\u2029"


def url_path(file_id: str) -> str:
    """``fileToUrl``: ``content/pages/blog/index.md`` -> ``/blog``, cut at the first dot."""
    url = file_id[len(PAGES_DIR) :].split(".")[0]
    if url.endswith("/index"):
        url = url[: -len("/index")] or "/"
    return url


def markdown_content(after: str) -> str:
    """The body ``front-matter`` gives: whitespace-only lines after the front matter dropped.

    Its pattern ends with ``^---\\s*$\\n?`` (multiline): the whitespace after the
    closing dashes runs up to the last line end before the body, and one ``\\n`` goes.
    """
    text = "\n" + after
    end = 0
    while end < len(text) and text[end] in _JS_WHITESPACE:
        end += 1
    if end == len(text):
        return ""
    last = max(text.rfind(terminator, 0, end) for terminator in _LINE_TERMINATORS)
    return text[last + 1 :] if text[last] == "\n" else text[last:]


class Index:
    """What ``content.ts`` works out once for a view: files in glob order, URLs, sort orders."""

    def __init__(self, files: SiteFiles) -> None:
        self.files = files
        pages = sorted(files.pages, key=lambda file: locale_order(file.id))
        self.by_url: dict[str, ThemeFile] = {}
        for file in pages:
            self.by_url.setdefault(url_path(file.id), file)
        facts = _FACTS.collect(pages)
        self.posts = _newest_first([f for f in pages if facts[f.id][0] == "PostLayout"], facts)
        self.projects = _newest_first(
            [f for f in pages if facts[f.id][0] == "ProjectLayout"], facts
        )
        config = files.by_id.get(CONFIG_ID)
        self.config = config if config is not None and _model_name(config) == "Config" else None

    def paths(self) -> list[str]:
        return sorted(self.by_url)

    def props(self, path: str, recorder: KeyRecorder) -> dict[str, Any] | None:
        found = self.by_url.get(path)
        if found is None:
            recorder.keys.add(k.PAGES)  # a page may come to this path
            return None
        loader = _Loader(self, recorder)
        props = {"page": loader.resolved(found), "site": None}
        if self.config is not None:
            props["site"] = loader.resolved(self.config)
        finish(props)  # before walking it: bounded depth
        return finish(_Resolvers(self, loader).walk(props))


_MISSING = object()


def _sort_facts(file: ThemeFile) -> tuple[Any, float]:
    data, _ = file.read()
    date = data.get("date", _MISSING)
    return data.get("type"), math.nan if date is _MISSING else date_milliseconds(date)


_FACTS = FactsCache(_sort_facts)


def _model_name(file: ThemeFile) -> Any:
    return file.read()[0].get("type")


def _newest_first(
    files: list[ThemeFile], facts: dict[str, tuple[Any, float]]
) -> tuple[ThemeFile, ...]:
    """``sort((a, b) => new Date(b.date) - new Date(a.date))``, stable, NaN as JavaScript has it."""

    def compare(first: ThemeFile, second: ThemeFile) -> float:
        return newest_first(facts[first.id][1], facts[second.id][1])

    return tuple(sorted(files, key=cmp_to_key(compare)))  # type: ignore[arg-type]


class _Loader:
    """``readContent`` and ``resolveReferences`` for one answer: each file read once, on use."""

    def __init__(self, index: Index, recorder: KeyRecorder) -> None:
        self.index = index
        self.recorder = recorder
        self.objects: dict[str, dict[str, Any]] = {}
        self.done: set[int] = set()
        self.active: set[int] = set()
        self.references = reference_fields()

    def read(self, file: ThemeFile) -> dict[str, Any]:
        found = self.objects.get(file.id)
        if found is None:
            self.recorder.read(file)
            data, after = file.read()
            if after is not None:
                data["markdown_content"] = markdown_content(after)
            metadata: dict[str, Any] = {"id": file.id}
            if "type" in data:
                metadata["modelName"] = data["type"]
            data["__metadata"] = metadata
            if file.is_page:
                metadata["urlPath"] = url_path(file.id)
            self.objects[file.id] = found = data
        return found

    def resolved(self, file: ThemeFile) -> dict[str, Any]:
        content = self.read(file)
        self.resolve(content, 0)
        return content

    def resolve(self, content: Any, depth: int) -> None:
        """``resolveReferences``, in place; a reference back into what is being resolved
        stays the path it is (the theme's own build never ends there)."""
        if not isinstance(content, dict) or not truthy(content.get("type")):
            return
        if id(content) in self.done or id(content) in self.active:
            return
        if depth > MAX_DEPTH:
            raise AnswerTooLarge(f"its references nest more than {MAX_DEPTH} levels deep")
        self.active.add(id(content))
        model = content["type"]
        if not truthy(content.get("__metadata")):
            content["__metadata"] = {"modelName": model}
        for name in list(content):
            value = content[name]
            if not truthy(value):
                continue
            is_reference = isinstance(model, str) and (model, name) in self.references
            if isinstance(value, list):
                if is_reference and isinstance(value[0], str):
                    value = [self._referenced(item) for item in value]
                    value = content[name] = [item for item in value if item is not None]
                if value and (value[0] is None or isinstance(value[0], dict | list)):
                    for item in value:
                        self.resolve(item, depth + 1)
            else:
                if is_reference and isinstance(value, str):
                    value = self._referenced(value)
                    if value is None:
                        del content[name]
                        continue
                    content[name] = value
                self.resolve(value, depth + 1)
        self.active.discard(id(content))
        self.done.add(id(content))

    def _referenced(self, reference: Any) -> Any:
        """The object a reference names; the path itself when that object is being resolved
        (a reference cycle), ``None`` when the file is not served (a draft, say)."""
        if not isinstance(reference, str):
            return None
        file = self.index.files.find(reference)
        if file is None:
            return None
        target = self.read(file)
        return reference if id(target) in self.active else target


Resolver = Callable[[dict[str, Any]], dict[str, Any]]


class _Resolvers:
    """``resolveStaticProps``: ``mapDeepAsync`` children first, then the node's resolver."""

    def __init__(self, index: Index, loader: _Loader) -> None:
        self.index = index
        self.loader = loader
        self.walked: dict[int, Any] = {}
        self.by_type: dict[str, Resolver] = {
            "PostFeedLayout": lambda props: {**props, "items": self._posts(None)},
            "RecentPostsSection": lambda props: {**props, "posts": self._posts(props)},
            "ProjectLayout": self._project_neighbours,
            "ProjectFeedLayout": lambda props: {**props, "items": self._projects(None)},
            "RecentProjectsSection": lambda props: {**props, "projects": self._projects(props)},
        }

    def walk(self, value: Any) -> Any:
        if not isinstance(value, dict | list):
            return value
        found = self.walked.get(id(value))
        if found is not None:
            return found
        if isinstance(value, list):
            result: Any = [self.walk(item) for item in value]
        else:
            result = {key: self.walk(item) for key, item in value.items()}
            object_type = result.get("type") if truthy(result.get("type")) else result.get("layout")
            resolver = self.by_type.get(object_type) if isinstance(object_type, str) else None
            if resolver is not None:
                result = resolver(result)
        self.walked[id(value)] = result
        return result

    def _posts(self, section: dict[str, Any] | None) -> list[dict[str, Any]]:
        key = k.POSTS if section is None else k.RECENT
        self._uses_list(self.index.posts, self.index.files.api_posts, key, section)
        return self._newest(self.index.posts, section)

    def _projects(self, section: dict[str, Any] | None) -> list[dict[str, Any]]:
        self._uses_list(self.index.projects, self.index.files.api_projects, k.PROJECTS, None)
        return self._newest(self.index.projects, section)

    def _uses_list(
        self,
        files: tuple[ThemeFile, ...],
        api_order: tuple[str, ...],
        key: str,
        section: dict[str, Any] | None,
    ) -> None:
        if key == k.RECENT and section is not None:
            count = section.get("recentCount")
            shown = slice_end(count if truthy(count) else 3, len(files))
            key = k.RECENT if shown + 1 <= k.RECENT_WINDOW else k.POSTS
        self.loader.recorder.keys.update(list_keys(files, api_order, key))

    def _newest(
        self, files: tuple[ThemeFile, ...], section: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """All of them for a feed; ``slice(0, recentCount || 3)`` for a section."""
        if section is not None:
            count = section.get("recentCount")
            files = files[: slice_end(count if truthy(count) else 3, len(files))]
        return [self.loader.resolved(file) for file in files]

    def _project_neighbours(self, props: dict[str, Any]) -> dict[str, Any]:
        metadata = props.get("__metadata")
        current = metadata.get("id") if isinstance(metadata, dict) else None
        projects = self.index.projects
        self._uses_list(projects, self.index.files.api_projects, k.PROJECTS, None)
        position = next((i for i, f in enumerate(projects) if f.id == current), -1)
        newer = projects[position - 1] if position > 0 else None
        older = projects[position + 1] if position < len(projects) - 1 else None
        return {
            **props,
            "prevProject": self.loader.resolved(older) if older else None,
            "nextProject": self.loader.resolved(newer) if newer else None,
        }
