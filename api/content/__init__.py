"""Content in stages, imports in one direction (``make lint`` checks it):

``source`` (files -> parsed files) -> ``model`` (the snapshot, pure) -> ``live`` (the state
on disk, the repository, the change) -> ``documents`` (the one entry point of the HTTP side).
"""
