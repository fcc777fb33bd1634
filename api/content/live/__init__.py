"""What is on disk and what of it is served, kept up to date: the content state, the
repository that swaps snapshots, the watcher, and the change each new snapshot makes."""
