"""Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the sitemap, written from a content view.

``entries`` decides what a feed says once; ``rss``, ``atom`` and ``jsonfeed``
only write it in their syntax. ``sitemap`` lists every public page. ``urls``
makes everything absolute on ``SITE_URL``. Nothing here knows about HTTP.
"""
