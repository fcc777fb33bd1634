"""Fuzzing every operation of the OpenAPI document against the app, with schemathesis.

A bounded number of generated requests per operation (valid and invalid),
every check on: no server errors, status codes, content types, headers and
bodies as the spec documents them. A failure is fixed in the code or the spec.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig

from api import create_app
from tests.support.sites import BUNDLED_CONTENT

EXAMPLES_PER_OPERATION = 40

app = create_app({"content_dir": BUNDLED_CONTENT})
# Oversized requests are refused with 414 and 431 (documented on every operation):
# rejections of invalid data too; so is 401 of the editing API, which refuses a request
# without a write token before it looks at anything else.
config = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 404, 405, 406, 414, 422, 431],
            }
        }
    }
)
# The event stream never ends, so it cannot be fuzzed like an answer (tests/system/propagation/).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config).exclude(
    path="/api/events"
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_as_documented(case):
    # The in-process WSGI client cannot gunzip; gzip itself is tested in test_http.py.
    case.call_and_validate(checks=CHECKS.get_all(), headers={"Accept-Encoding": "identity"})
