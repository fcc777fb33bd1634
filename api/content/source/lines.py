"""Finding the file line of a location in loaded data, for compiler-style error reports.

Only files with problems pay for this: the text is composed again into YAML nodes
(JSON is YAML too), which carry their positions, and the location is followed
through them as far as it exists.
"""

from __future__ import annotations

import yaml

from api.content.source.parsing import ContentLoader
from api.content.source.validation import Location


class LineFinder:
    def __init__(self, text: str, first_line: int = 1) -> None:
        self._first_line = first_line
        try:
            self._root: yaml.Node | None = yaml.compose(text, Loader=ContentLoader)
        except (yaml.YAMLError, RecursionError):
            self._root = None

    def line_of(self, location: Location) -> int:
        """The 1-based file line of the deepest part of ``location`` present in the file."""
        node = self._root
        if node is None:
            return self._first_line
        line = node.start_mark.line
        for part in location:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                match = next((pair for pair in node.value if pair[0].value == part), None)
                if match is None:
                    break
                line = match[0].start_mark.line
                node = match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line
            else:
                break
        return self._first_line + line
