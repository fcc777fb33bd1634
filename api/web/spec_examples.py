"""Examples for the OpenAPI document: real answers of the bundled sample site.

They live in ``openapi_examples.json`` beside this module (committed, so the
document does not depend on which content a server runs on) and are written by
``flask --app api content examples``; a test checks they still equal what the
bundled site answers.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_FILE = Path(__file__).resolve().parent.parent / "openapi_examples.json"


@cache
def examples() -> dict[str, Any]:
    if not EXAMPLES_FILE.is_file():
        return {}
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
