"""What a start does not load: feedgen and lxml, the static export and the Stackbit
generations are imported when first used, so that a server pays for them only if it is asked
for a feed, an export or a Stackbit answer (issue 25, point 3). Checked in a fresh interpreter,
by the modules it holds, before and after each first use."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.sites import BUNDLED_CONTENT, ROOT

LAZY = ("feedgen", "lxml", "api.export.site", "api.stackbit.content_ts", "api.stackbit.sourcebit")

SCRIPT = """
import json, sys
from api import create_app

lazy = {lazy!r}
app = create_app({{"content_dir": {content!r}, "parse_cache_dir": None}}, start_background=False)
client = app.test_client()
loaded = {{"start": sorted(m for m in lazy if m in sys.modules)}}
assert client.get("/api/feed.xml").status_code == 200
loaded["feed"] = sorted(m for m in lazy if m in sys.modules)
assert client.get("/api/stackbit/paths").status_code == 200
loaded["stackbit"] = sorted(m for m in lazy if m in sys.modules)
from api.export import export_site
loaded["export"] = sorted(m for m in lazy if m in sys.modules)
print(json.dumps(loaded))
"""


def test_feeds_export_and_stackbit_load_when_first_used():
    script = SCRIPT.format(lazy=LAZY, content=str(BUNDLED_CONTENT))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(done.stdout.strip().splitlines()[-1])

    assert loaded["start"] == []
    assert {"feedgen", "lxml"} <= set(loaded["feed"])
    assert "api.stackbit.content_ts" in loaded["stackbit"]
    assert "api.export.site" in loaded["export"]
