"""The read model: the immutable snapshot, what each audience sees of it (views), tags,
content keys, rendering. Pure: no file is read here, nothing here changes after it is built."""
