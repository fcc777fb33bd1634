"""``STACKBIT_COMPAT=sourcebit``: the older themes that load content through sourcebit.

The Starter theme (stackbit-themes/starter-nextjs-theme: ``sourcebit.js``,
``src/utils/process-data.js``, ``src/utils/path.js``) and its generation:

- ``sourcebit-source-filesystem`` reads ``content/pages`` then ``content/data``, each
  sorted by path; every object gets ``__metadata`` (``id``, ``source``,
  ``sourceName``, ``relSourcePath``, ``relProjectPath``, and from the matched
  model ``modelType``, ``modelName``, and for pages ``url``). A page is
  ``{__metadata, ...frontmatter, markdown_content}`` (``flattenMarkdownData``;
  the body after the closing ``---`` line, ``null`` when empty): pages keep their
  ``layout:``.
- ``resolveReferenceFields`` replaces every string that is another file's id with
  that file's object, at most three references deep, skipping ``__metadata``.
- ``sourcebit.js`` ``pages()``: the URL path (lower case), ``pageCssClasses`` from the
  file path, and each ``LatestPostsSection`` gets ``posts``: all posts newest first,
  or the newest ``recentCount || 6`` when it has ``showRecent``.
- ``getStaticProps`` answers ``{path, page, site}``.

Left out: ``sourcePath`` (an absolute path on the theme's build machine) and
``modelLabel`` (from model files the content folder does not have).
"""

from __future__ import annotations

import math
import posixpath
import re
from functools import cmp_to_key
from typing import Any

from api.content.model import keys as k
from api.stackbit.js import code_unit_order, date_milliseconds, newest_first, slice_end, truthy
from api.stackbit.objects import MAX_DEPTH, AnswerTooLarge, finish
from api.stackbit.source_objects import source_objects
from api.stackbit.theme_files import (
    CONFIG_ID,
    DATA_DIR,
    PAGES_DIR,
    FactsCache,
    KeyRecorder,
    SiteFiles,
    ThemeFile,
    list_keys,
)

NAME = "sourcebit"
SOURCE = "sourcebit-source-filesystem"
MAX_REFERENCE_DEPTH = 2  # resolveReferenceFields' maxDepth
_FILE_LIKE = re.compile(r"\.(?:md|mdx|json|yml|yaml|toml)$")
_DATA_MODELS = {f"{DATA_DIR}/config.json": "Config", f"{DATA_DIR}/style.json": "ThemeStyle"}


def url_path(rel_source_path: str) -> str:
    """``urlPathFromFilePath``: ``blog/post-one.md`` -> ``/blog/post-one``, lower case."""
    directory, name = posixpath.split(rel_source_path)
    parts = [part for part in directory.split("/") if part]
    stem = posixpath.splitext(name)[0]
    if stem != "index":
        parts.append(stem)
    return "/" + "/".join(parts).lower()


def model_url(rel_source_path: str) -> str:
    """The model matcher's ``url``: the URL path with a trailing slash (``/`` for the home)."""
    path = url_path(rel_source_path).strip("/")
    return f"/{path}/" if path else "/"


def page_css_classes(rel_source_path: str) -> list[str]:
    """``cssClassesFromFilePath``: ``blog/post-one.md`` -> ``[page-blog, page-blog-post-one]``."""
    directory, name = posixpath.split(rel_source_path)
    classes, css = [], "page"
    for part in (part for part in directory.split("/") if part):
        css += f"-{part}"
        classes.append(css)
    classes.append(f"{css}-{posixpath.splitext(name)[0]}")
    return classes


class Index:
    """The sourcebit objects of a view: files in the plugin's order, pages by URL path."""

    def __init__(self, files: SiteFiles) -> None:
        self.files = files
        self.pages = tuple(sorted(files.pages, key=lambda file: code_unit_order(file.id)))
        data = tuple(sorted(files.data, key=lambda file: code_unit_order(file.id)))
        self.objects = (*self.pages, *data)
        self.by_url: dict[str, ThemeFile] = {}
        for file in self.pages:
            self.by_url.setdefault(url_path(_relative(file)), file)
        facts = _FACTS.collect(self.objects)
        self.posts = tuple(
            sorted(
                (file for file in self.objects if facts[file.id][0]),
                key=cmp_to_key(lambda a, b: newest_first(facts[a.id][1], facts[b.id][1])),
            )
        )

        self._objects: dict[str, Any] | None = None

    def paths(self) -> list[str]:
        return sorted(self.by_url)

    def filesystem_objects(self, recorder: KeyRecorder) -> dict[str, Any]:
        """``{"objects": [...]}``: every file's object as ``sourcebit-source-filesystem`` gives
        it (``api.stackbit.source_objects``), made on first use."""
        recorder.keys.update((k.ANY_PAGE, k.ANY_PERSON, k.PAGES, k.CONFIG, k.STYLE))
        if self._objects is None:
            self._objects = finish({"objects": source_objects(self.files)})
        return self._objects

    def props(self, path: str, recorder: KeyRecorder) -> dict[str, Any] | None:
        found = self.by_url.get(path)
        if found is None:
            recorder.keys.add(k.PAGES)  # a page may come to this path
            return None
        loader = _Loader(self, recorder)
        page = loader.resolved(found)
        relative = _relative(found)
        metadata = {**page["__metadata"], "pageCssClasses": page_css_classes(relative)}
        page = {**page, "__metadata": metadata}
        _fill_latest_posts(page, loader)
        config = self.files.by_id.get(CONFIG_ID)
        site = loader.resolved(config) if config is not None else None
        return finish({"path": path, "page": page, "site": site})


def _relative(file: ThemeFile) -> str:
    """``relSourcePath``: the path under the source's folder."""
    folder = PAGES_DIR if file.is_page else DATA_DIR
    return file.id[len(folder) + 1 :]


_MISSING = object()


def _post_facts(file: ThemeFile) -> tuple[bool, float]:
    """Is it a post (``layout: PostLayout``), and its date as ``+new Date(date)``."""
    data, _ = file.read()
    date = data.get("date", _MISSING)
    milliseconds = math.nan if date is _MISSING else date_milliseconds(date)
    return data.get("layout") == "PostLayout", milliseconds


_FACTS = FactsCache(_post_facts)


class _Loader:
    """The objects of one answer, read and resolved on use, each once."""

    def __init__(self, index: Index, recorder: KeyRecorder) -> None:
        self.index = index
        self.recorder = recorder
        self.read_objects: dict[str, dict[str, Any]] = {}
        self.resolved_objects: dict[str, dict[str, Any]] = {}

    def read(self, file: ThemeFile) -> dict[str, Any]:
        """The object as the source plugin and ``flattenMarkdownData`` leave it."""
        found = self.read_objects.get(file.id)
        if found is None:
            self.recorder.read(file)
            data, after = file.read()
            found = {"__metadata": self._metadata(file, data)}
            found.update(data)
            if file.is_page:
                found["markdown_content"] = after or None
            self.read_objects[file.id] = found
        return found

    def _metadata(self, file: ThemeFile, data: dict[str, Any]) -> dict[str, Any]:
        relative = _relative(file)
        metadata: dict[str, Any] = {
            "id": file.id,
            "source": SOURCE,
            "sourceName": "pages" if file.is_page else "data",
            "relSourcePath": relative,
            "relProjectPath": file.id,
        }
        if file.is_page:
            layout = data.get("layout")
            if isinstance(layout, str) and layout:
                metadata.update(modelType="page", modelName=layout, url=model_url(relative))
        else:
            written = data.get("type")
            name = written if isinstance(written, str) and written else None
            name = name or _DATA_MODELS.get(file.id, "Person")
            metadata.update(modelType="data", modelName=name)
        return metadata

    def resolved(self, file: ThemeFile) -> dict[str, Any]:
        """The object after ``resolveReferenceFields``."""
        found = self.resolved_objects.get(file.id)
        if found is None:
            found = _ReferenceWalk(self).walk(self.read(file), [], 0)
            self.resolved_objects[file.id] = found
        return found


class _ReferenceWalk:
    """``resolveReferenceFields`` over one object: ``mapDeep`` parents first, with its
    stack of the key paths where references were put in (at most three deep)."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.stack: list[str] = []

    def walk(self, value: Any, key_path: list[str | int], depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise AnswerTooLarge(f"its objects nest more than {MAX_DEPTH} levels deep")
        value = self._replace(value, key_path)
        if isinstance(value, dict):
            return {k: self.walk(v, [*key_path, k], depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.walk(v, [*key_path, i], depth + 1) for i, v in enumerate(value)]
        return value

    def _replace(self, value: Any, key_path: list[str | int]) -> Any:
        if "__metadata" in key_path or not isinstance(value, str) or not _FILE_LIKE.search(value):
            return value
        joined = ".".join(str(key) for key in key_path)
        while self.stack and not joined.startswith(self.stack[-1]):
            self.stack.pop()
        if len(self.stack) > MAX_REFERENCE_DEPTH:
            return value
        target = self.loader.index.files.by_id.get(value)
        if target is None:
            return value
        self.stack.append(joined)
        return self.loader.read(target)


def _fill_latest_posts(page: dict[str, Any], loader: _Loader) -> None:
    """The ``LatestPostsSection`` resolver of ``sourcebit.js``, over the whole page."""
    posts: list[dict[str, Any]] | None = None
    pending: list[Any] = [page]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if value.get("type") == "LatestPostsSection":
                count = value.get("recentCount")
                recent = (
                    truthy(value.get("showRecent"))
                    and slice_end(count if truthy(count) else 6, len(loader.index.posts)) + 1
                    <= k.RECENT_WINDOW
                )
                api_posts = loader.index.files.api_posts
                key = k.RECENT if recent else k.POSTS
                loader.recorder.keys.update(list_keys(loader.index.posts, api_posts, key))
                if posts is None:
                    posts = [loader.resolved(file) for file in loader.index.posts]
                end = slice_end(count if truthy(count) else 6, len(posts))
                children = list(value.values())
                value["posts"] = posts[:end] if truthy(value.get("showRecent")) else list(posts)
                pending.extend(reversed(children))
            else:
                pending.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            pending.extend(reversed(value))
