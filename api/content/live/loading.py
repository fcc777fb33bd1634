"""Loading a whole content folder at once, and parsing many files in parallel.

The rules (what is served, what is an error) live in ``api.content.live.state``; this
module is the one-shot road through them that ``content check`` and tests take,
and the parallel parser that a cold start uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.content.live.state import ContentState
from api.content.model.snapshot import Snapshot
from api.content.source.hints import nearest_file
from api.content.source.parsed import ParsedFile
from api.content.source.problems import ContentProblem, Severity
from api.content.source.validation import format_location


@dataclass(slots=True)
class LoadedContent:
    """A content folder loaded once: what is served and every problem found."""

    state: ContentState

    @property
    def files(self) -> dict[str, ParsedFile]:
        """The served files' parse results, by path."""
        return {path: version.parsed for path, version in self.state.served.items()}

    @property
    def problems(self) -> list[ContentProblem]:
        return self.state.all_problems()

    def missing_translations(self) -> list[ContentProblem]:
        """A warning per default-locale document and declared locale with no version in it
        (the locale shows it from its fallback chain): none on a site of one locale."""
        locales = self.state.locales
        if locales is None:
            return []
        versions = Snapshot.build(self.state).versions(preview=True)
        found = []
        for group in versions.values():
            home = group.get(locales.default)
            if home is None:
                continue
            for code in locales.codes:
                if code not in group:
                    shown = next(other for other in locales.chain(code) if other in group)
                    message = f"no '{code}' translation ({code} shows the '{shown}' version)"
                    found.append(ContentProblem(home.path, 1, Severity.WARNING, message))
        return sorted(found, key=lambda problem: (problem.path, problem.message))

    def suggestions(self) -> dict[tuple[str, str], str]:
        """For each dangling reference, the existing file it probably means: ``(path, the start
        of its problem's message) -> " (did you mean content/...?)"``. A one-shot load can say
        it; the served state keeps messages that depend on the referring file alone."""
        entries = self.state.disk.entries
        found = {}
        for path, reference in self.state.dangling_references():
            same_type = (
                other
                for other, entry in entries.items()
                if entry.version.parsed.type_name == reference.target_type
            )
            nearest = nearest_file(reference.key, same_type)
            if nearest is not None:
                start = f"{format_location(reference.location)}: no such file: content/"
                found[(path, start + reference.key)] = f" (did you mean content/{nearest}?)"
        return found


def load_content(root: Path, max_file_bytes: int) -> LoadedContent:
    """Load a whole content folder, with no parse cache and no history."""
    state = ContentState(root, max_file_bytes)
    state.apply(None)
    return LoadedContent(state)
