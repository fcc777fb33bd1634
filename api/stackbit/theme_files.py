"""The site's files as a theme's loader finds them: repository paths, data as written.

Everything comes from the snapshot (each page and data file keeps its data as written,
``api.stackbit.verbatim``, an extra kept at parse time); nothing here opens a file. What a
view of the snapshot shows (drafts only in preview) is what the theme's loader sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from api.content.model import keys as k
from api.content.model.items import Page
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.content.source.extras import extra_of
from api.content.source.paths import REPOSITORY_PREFIX, reference_key
from api.stackbit.verbatim import EXTRA, read_stackbit_utils, read_verbatim

PAGES_DIR = "content/pages"
DATA_DIR = "content/data"
CONFIG_ID = "content/data/config.json"
STYLE_ID = "content/data/style.json"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ThemeFile:
    """One file the theme loads: its repository path (``content/...``) and where it lives."""

    id: str
    page: Page | None = None  # a page; else a data file whose verbatim blob follows
    blob: bytes | None = None

    @property
    def is_page(self) -> bool:
        return self.page is not None

    @property
    def verbatim(self) -> bytes | None:
        return self.page.extra(EXTRA) if self.page is not None else self.blob

    def read(self) -> tuple[dict[str, Any], str | None]:
        """A fresh copy of the data as written, and for a page the text after its front matter.

        Fresh on every call: the resolvers change what they read, as the themes do.
        """
        blob = self.verbatim
        if blob is None:
            return {}, ("" if self.page is not None else None)
        verbatim = read_verbatim(blob)
        if self.page is None:
            return verbatim.data, None
        return verbatim.data, verbatim.after_front_matter(self.page.body)

    def read_as_stackbit_utils(self) -> Any:
        """The file as ``@stackbit/utils`` reads it: a page's ``{frontmatter, markdown}``, a
        data file's object (``None``: it cannot read the file). A fresh copy on every call."""
        blob = self.verbatim
        if blob is None:
            return None
        return read_stackbit_utils(blob, self.page.body if self.page is not None else None)


class SiteFiles:
    """The pages a view shows and the site's data files, by repository path."""

    def __init__(self, snapshot: Snapshot, view: ContentView) -> None:
        pages = [
            ThemeFile(REPOSITORY_PREFIX + page.path, page=page)
            for page in view.pages_by_url.values()
        ]
        data = [
            ThemeFile(REPOSITORY_PREFIX + person.path, blob=person.extra(EXTRA))
            for person in snapshot.people_by_path.values()
        ]
        data += [
            ThemeFile(f"{DATA_DIR}/{kind}.json", blob=extra_of(extras, EXTRA))
            for kind, extras in snapshot.site_extras.items()
        ]
        self.pages: tuple[ThemeFile, ...] = tuple(pages)
        self.data: tuple[ThemeFile, ...] = tuple(data)
        self.by_id: dict[str, ThemeFile] = {file.id: file for file in (*pages, *data)}
        # The API's own orders (its content keys follow them): a theme's list that is the
        # same can be keyed by the API's list keys; one that is not, by every page.
        self.api_posts = tuple(REPOSITORY_PREFIX + page.path for page in view.posts)
        self.api_projects = tuple(REPOSITORY_PREFIX + page.path for page in view.projects)

    def find(self, reference: str) -> ThemeFile | None:
        """The file a reference names: exactly its repository path, as the themes look it up,
        or (where a theme's build would fail) the same path written another way."""
        found = self.by_id.get(reference)
        if found is None:
            key = reference_key(reference)
            found = self.by_id.get(REPOSITORY_PREFIX + key) if key is not None else None
        return found


def file_key(file: ThemeFile) -> str:
    """The content key of one file: its page's, its person's, or the site's config or style."""
    if file.page is not None:
        return k.page_key(file.page.path)
    if file.id == CONFIG_ID:
        return k.CONFIG
    if file.id == STYLE_ID:
        return k.STYLE
    return k.person_key(file.id[len(REPOSITORY_PREFIX) :])


def list_keys(files: Iterable[ThemeFile], api_order: tuple[str, ...], key: str) -> set[str]:
    """The keys a theme's list of posts (or projects) depends on: the API's list key where the
    theme orders the same files the same way, else every page (``ANY_PAGE``)."""
    same = tuple(file.id for file in files) == api_order
    return {key} if same else {k.ANY_PAGE, k.PAGES}


class KeyRecorder:
    """The content keys one answer reads: every file it reads, and the lists it shows."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def read(self, file: ThemeFile) -> None:
        self.keys.add(file_key(file))


class FactsCache(Generic[T]):
    """What an index needs from every file (a post's date, say), kept from one snapshot to the
    next by the file's data: after a reload only the files that changed are read again."""

    def __init__(self, extract: Callable[[ThemeFile], T]) -> None:
        self._extract = extract
        self._known: dict[bytes, T] = {}

    def collect(self, files: Iterable[ThemeFile]) -> dict[str, T]:
        """The facts of ``files`` by file id; what is kept is only what these files need."""
        known, kept, found = self._known, {}, {}
        for file in files:
            blob = file.verbatim
            value = known[blob] if blob is not None and blob in known else self._extract(file)
            if blob is not None:
                kept[blob] = value
            found[file.id] = value
        self._known = kept
        return found
