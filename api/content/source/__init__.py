"""Files to parsed files: reading the content folder, front matter, validation against the
model, the parse cache. Pure functions of a file's path and bytes, but for the reading."""
