"""Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) and the sitemap, written from a content view.

``selection`` picks a feed's posts (``tags`` maps tag slugs to posts), ``entries``
decides once what a feed says about them, and ``rss``, ``atom`` and ``jsonfeed``
only write that in their syntax. ``sitemap`` lists every public page. ``urls``
makes everything absolute on ``SITE_URL``. Nothing here knows about HTTP.
"""
