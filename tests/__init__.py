"""The tests, where a newcomer looks for them:

- ``unit/`` mirrors ``api/``: the tests of one module's functions and classes (some through
  the test client), e.g. ``unit/content/live/test_watching.py`` for ``watching.py`` there;
- ``api/``: one file per resource (and the document), through HTTP;
- ``system/``: the slow suites and end-to-end runs (load, faults, deploy, propagation,
  security, the static export under nginx, e2e in Chromium);
- ``support/``: what they share (sites, servers, the OpenAPI document, waiting), written once.

No test module imports another, nor a conftest. Time: ``support/waiting.py``.
"""
