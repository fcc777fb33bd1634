"""Problems found in content files, reported like a compiler reports code errors."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One problem in one file, reported like a compiler reports code errors."""

    path: str  # relative to the content root, POSIX separators
    line: int
    severity: Severity
    message: str

    def format(self, root_label: str = "") -> str:
        """``path:line: severity: message``, the path prefixed with how the user named the root."""
        path = f"{root_label.rstrip('/')}/{self.path}" if root_label else self.path
        return f"{path}:{self.line}: {self.severity}: {self.message}"
