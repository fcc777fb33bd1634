"""Problems found in content files, reported like a compiler reports code errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# A required field missing at the top of a file: the one error a translation may have, since
# it takes the field from its fallback chain (``gap_of``).
MISSING_FIELD = "missing required field '{}'"
_GAP = re.compile(r"missing required field '([A-Za-z0-9_]+)'")


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


def gap_of(problem: ContentProblem) -> str | None:
    """The field a problem says is missing at the top of its file (a gap a translation's
    chain may fill), or ``None`` for any other problem."""
    if problem.severity is not Severity.ERROR:
        return None
    found = _GAP.fullmatch(problem.message)
    return found[1] if found else None
