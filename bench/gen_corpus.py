"""Write a deterministic synthetic site in the content model, for the benchmarks.

    python bench/gen_corpus.py --posts 1000 --authors 20 --out /tmp/site [--seed 42]

writes

    OUT/content/pages/blog/<slug>.md     PostLayout: 60-140 lines of block YAML front matter
                                         (1-3 RecentPostsSections, optional tags) and a
                                         2-8 KB Markdown body (headings, lists, links, code
                                         fences, quotes, sometimes a table)
    OUT/content/data/team/<slug>.json    Person, one per author
    OUT/content/data/config.json         Config, so the site is complete

Every post is drawn from its own random stream, seeded by (seed, index): the same arguments
always give byte-identical files, and with the same seed and authors the first N posts of a
larger corpus are the N posts of a smaller one. Only the standard library is used and YAML is
written by hand, so 10,000 posts take a few seconds. Every value is a field or enum value of
the content model (plus `tags`), so `flask content check` reports no error and no warning.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def word_list(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = word_list(
    "security cloud platform developer observability incident response pipeline deploy "
    "kubernetes container latency throughput cache index query schema service team culture "
    "feedback design system release feature flag metric alert dashboard trace log budget "
    "reliability automation script workflow review merge branch commit test coverage "
    "regression benchmark profile memory thread async request response payload gateway proxy "
    "edge network model inference prompt token embedding vector search ranking content "
    "markdown static site generator headless api frontmatter author post blog the a of and "
    "to in is for on with that this as we it our from by at be are can will more when how "
    "what why not or but you they their into about"
)
TITLE_WORDS = word_list(
    "AI Security Silos Observability Incidents DevRel Platform Engineering Kubernetes Latency "
    "Caching Search Culture Feedback Reliability Automation Teams Pipelines Releases Metrics "
    "Tracing Budgets Edge Content APIs Static Sites Markdown Headless Scaling Testing "
    "Migrations Onboarding Burnout"
)
TITLE_PATTERNS = (
    "{a}, {b}, and the End of {c}",
    "Why {a} Needs Better {b}",
    "Lessons From a Year of {a}",
    "{a} Without the {b}",
    "How We Rebuilt {a} Around {b}",
    "The Quiet Cost of {a}",
    "A Field Guide to {a} and {b}",
    "{a} at Scale: Notes From the {b} Team",
)
FIRST_NAMES = word_list(
    "Jason Maria Wei Aisha Lukas Priya Diego Hana Omar Sofia "
    "Ivan Chloe Kofi Yuki Noah Ines Arjun Lena Tomas Zara"
)
LAST_NAMES = word_list(
    "Hand Garcia Chen Okafor Muller Sharma Lopez Sato Haddad Rossi "
    "Petrov Martin Mensah Tanaka Smith Costa Patel Novak Silva Ali"
)
ROLES = (
    "Developer Advocate",
    "Staff Engineer",
    "Product Manager",
    "SRE",
    "Security Engineer",
    "Technical Writer",
    "Engineering Manager",
    "Designer",
)
TAGS = word_list(
    "ai security devrel sre kubernetes observability culture "
    "testing performance markdown api cloud career tooling"
)
CODE_LANGUAGES = ("python", "bash", "yaml", "json", "go", "javascript")
# The model's enums: PostLayout.colors stops at colors-e, the sections' colors go to colors-f.
PAGE_COLORS = ("colors-a", "colors-b", "colors-c", "colors-d", "colors-e")
SECTION_COLORS = (*PAGE_COLORS, "colors-f")
SECTION_VARIANTS = ("variant-a", "variant-b", "variant-c", "variant-d")
SECTION_SUBTITLES = ("Recent posts", "Read next", "More from the blog")
FIRST_YEAR, YEARS = 2018, 8


def slugify(text: str) -> str:
    """Lower-case ``text`` and join its runs of letters and digits with dashes."""
    out: list[str] = []
    for char in text.lower():
        if char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def yaml_quote(text: str) -> str:
    """A single-quoted YAML scalar, safe for any text on one line."""
    return "'" + text.replace("'", "''") + "'"


class Prose:
    """Markdown text drawn from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, count: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=count))

    def sentence(self) -> str:
        rng = self.rng
        words = rng.choices(WORDS, k=rng.randint(6, 18))
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.15:
            words[i] = f"**{words[i]}**"
        elif kind < 0.28:
            words[i] = f"*{words[i]}*"
        elif kind < 0.38:
            words[i] = f"`{words[i]}()`"
        elif kind < 0.50:
            words[i] = f"[{words[i]}](https://example.com/{words[i]}/{rng.randint(1, 999)})"
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def heading(self) -> str:
        marks = "##" if self.rng.random() < 0.7 else "###"
        return f"{marks} {self.words(self.rng.randint(2, 6)).title()}"

    def listing(self) -> str:
        ordered = self.rng.random() < 0.4
        count = self.rng.randint(3, 7)
        return "\n".join(
            f"{f'{n}.' if ordered else '-'} {self.sentence()}" for n in range(1, count + 1)
        )

    def code_fence(self) -> str:
        rng = self.rng
        lines = [
            f"{'    ' if n % 3 == 2 else ''}{rng.choice(WORDS)}_{n} = "
            f"{rng.choice(WORDS)}({rng.choice(WORDS)})"
            for n in range(rng.randint(3, 12))
        ]
        return f"```{rng.choice(CODE_LANGUAGES)}\n" + "\n".join(lines) + "\n```"

    def table(self) -> str:
        rng = self.rng
        columns = rng.randint(2, 4)
        rows = [
            "| " + " | ".join(rng.choice(WORDS).title() for _ in range(columns)) + " |",
            "|" + "---|" * columns,
        ]
        for _ in range(rng.randint(2, 6)):
            cells = [str(rng.randint(1, 9999)), *rng.choices(WORDS, k=columns - 1)]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def block(self) -> str:
        """One Markdown block, mostly paragraphs."""
        kind = self.rng.random()
        if kind < 0.12:
            return self.heading()
        if kind < 0.22:
            return self.listing()
        if kind < 0.30:
            return self.code_fence()
        if kind < 0.33:
            return self.table()
        if kind < 0.37:
            return "> " + self.sentence()
        return self.paragraph()

    def body(self) -> str:
        """A post body of 2-8 KB."""
        target = self.rng.randint(2048, 7600)
        blocks = [self.paragraph()]
        size = len(blocks[0])
        while size < target:
            blocks.append(self.block())
            size += len(blocks[-1]) + 2
        return "\n\n".join(blocks) + "\n"


def recent_posts_section(rng: random.Random) -> list[str]:
    """Front matter lines of one RecentPostsSection, as a bottomSections list item."""
    return [
        "  - type: RecentPostsSection",
        "    elementId: ''",
        f"    colors: {rng.choice(SECTION_COLORS)}",
        f"    variant: {rng.choice(SECTION_VARIANTS)}",
        f"    subtitle: {rng.choice(SECTION_SUBTITLES)}",
        f"    showDate: {rng.choice(('true', 'false'))}",
        f"    showAuthor: {rng.choice(('true', 'false'))}",
        "    showExcerpt: true",
        "    showFeaturedImage: true",
        "    showReadMoreLink: true",
        f"    recentCount: {rng.randint(2, 6)}",
        "    styles:",
        "      self:",
        "        height: auto",
        "        width: wide",
        "        margin:",
        *(f"          - {side}-0" for side in ("mt", "mb", "ml", "mr")),
        "        padding:",
        "          - pt-12",
        "          - pb-56",
        "          - pr-4",
        "          - pl-4",
        "        justifyContent: center",
        "      title:",
        "        textAlign: left",
        "      subtitle:",
        "        textAlign: left",
        "      actions:",
        "        justifyContent: center",
    ]


def post_title(rng: random.Random, index: int) -> str:
    """A headline from the patterns; every fifth post is a part of a series."""
    a, b, c = rng.sample(TITLE_WORDS, 3)
    title = rng.choice(TITLE_PATTERNS).format(a=a, b=b, c=c)
    return title + (f" (Part {index % 7 + 1})" if index % 5 == 0 else "")


def post_random(seed: int, index: int) -> random.Random:
    """The random stream of post number ``index``: posts do not depend on one another."""
    return random.Random(f"{seed}:post:{index}")


def numbered_slug(title: str, index: int) -> str:
    """A slug that stays unique when two posts draw the same title."""
    return f"{slugify(title)}-{index:06d}"


def post_slug(seed: int, index: int) -> str:
    """The slug of post number ``index``, without generating the rest of it."""
    return numbered_slug(post_title(post_random(seed, index), index), index)


def post_front_matter(rng: random.Random, title: str, author: str, excerpt: str) -> list[str]:
    """The front matter lines of one post, between the ``---`` fences."""
    date = f"{FIRST_YEAR + rng.randrange(YEARS)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    image = f"/images/{rng.choice(WORDS)}-{rng.randint(1, 40)}.jpg"
    lines = [
        "type: PostLayout",
        f"title: {yaml_quote(title)}",
        f"metaTitle: {yaml_quote(title + ' | Bench Blog')}",
        f"metaDescription: {yaml_quote(excerpt)}",
        "addTitleSuffix: false",
        f"colors: {rng.choice(PAGE_COLORS)}",
        "backgroundImage:",
        "  type: BackgroundImage",
        f"  url: /images/bg{rng.randint(1, 4)}.jpg",
        "  backgroundSize: cover",
        "  backgroundPosition: center",
        "  backgroundRepeat: no-repeat",
        f"  opacity: {rng.choice((50, 75, 100))}",
        f"date: '{date}'",
        f"author: content/data/team/{author}.json",
        "excerpt: >-",
        f"  {excerpt}",
        "featuredImage:",
        "  type: ImageBlock",
        f"  url: {image}",
        "  altText: Post thumbnail image",
        "media:",
        "  type: ImageBlock",
        f"  url: {image}",
        "  altText: altText of the image",
        "  caption: Caption of the image",
        "  elementId: ''",
    ]
    if rng.random() < 0.6:
        lines.append("tags:")
        lines.extend(f"  - {tag}" for tag in rng.sample(TAGS, rng.randint(1, 4)))
    lines.append("bottomSections:")
    for _ in range(rng.randint(1, 3)):
        lines.extend(recent_posts_section(rng))
    return lines


def post_file(seed: int, index: int, authors: list[str]) -> tuple[str, str]:
    """The slug and the whole ``.md`` text of post number ``index``."""
    rng = post_random(seed, index)
    prose = Prose(rng)
    title = post_title(rng, index)
    author = rng.choice(authors)
    excerpt = " ".join(prose.sentence() for _ in range(rng.randint(1, 2)))
    front_matter = post_front_matter(rng, title, author, excerpt)
    text = "---\n" + "\n".join(front_matter) + "\n---\n" + prose.body()
    return numbered_slug(title, index), text


def person_file(seed: int, index: int) -> tuple[str, str]:
    """The slug and the JSON text of author number ``index``."""
    rng = random.Random(f"{seed}:author:{index}")
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index // len(FIRST_NAMES) + index * 7) % len(LAST_NAMES)]
    slug = slugify(f"{first} {last}") + ("" if index < len(FIRST_NAMES) else f"-{index}")
    bio = " ".join(Prose(rng).sentence() for _ in range(rng.randint(1, 3)))
    person = {
        "type": "Person",
        "firstName": first,
        "lastName": last,
        "role": rng.choice(ROLES),
        "bio": bio,
        "image": {
            "type": "ImageBlock",
            "url": f"/images/{slug}.jpg",
            "altText": f"Photo of {first} {last}",
        },
    }
    return slug, json.dumps(person, indent=2) + "\n"


def site_config() -> str:
    """The JSON text of ``data/config.json``."""

    def link(label: str, url: str) -> dict[str, str]:
        return {"type": "Link", "label": label, "url": url}

    config = {
        "type": "Config",
        "favicon": "/images/favicon.svg",
        "titleSuffix": "Bench Blog",
        "defaultSocialImage": "/images/social.jpg",
        "header": {
            "type": "Header",
            "title": "Bench Blog",
            "isTitleVisible": True,
            "headerVariant": "variant-c",
            "isSticky": False,
            "primaryLinks": [link("Home", "/"), link("Blog", "/blog")],
            "styles": {"self": {"width": "full"}},
        },
        "footer": {
            "type": "Footer",
            "primaryLinks": [link("Blog", "/blog")],
            "copyrightText": "Generated for benchmarks.",
            "styles": {"self": {"width": "narrow"}},
        },
        "defaultMetaTags": [
            {"type": "MetaTag", "property": "og:site_name", "content": "Bench Blog"},
            {"type": "MetaTag", "property": "og:type", "content": "website"},
        ],
    }
    return json.dumps(config, indent=2) + "\n"


@dataclass(frozen=True)
class CorpusStats:
    posts: int
    authors: int
    post_bytes: int
    seconds: float

    def describe(self, out: Path) -> str:
        average_kb = self.post_bytes / max(1, self.posts) / 1024
        return (
            f"wrote {self.posts} posts ({self.post_bytes / 1e6:.1f} MB, {average_kb:.1f} KB "
            f"on average) and {self.authors} authors under {out} in {self.seconds:.1f} s"
        )


def write_text(path: Path, text: str) -> int:
    """Write ``text`` as UTF-8 with plain open/write (fast for many files); return its size."""
    data = text.encode("utf-8")
    with open(path, "wb") as file:
        file.write(data)
    return len(data)


def write_corpus(out: Path, posts: int, authors: int, seed: int = 42) -> CorpusStats:
    """Write the site under ``out/content``; existing files of the same names are replaced."""
    started = time.perf_counter()
    content = out / "content"
    blog, team = content / "pages" / "blog", content / "data" / "team"
    blog.mkdir(parents=True, exist_ok=True)
    team.mkdir(parents=True, exist_ok=True)
    write_text(content / "data" / "config.json", site_config())
    author_slugs = []
    for index in range(authors):
        slug, text = person_file(seed, index)
        write_text(team / f"{slug}.json", text)
        author_slugs.append(slug)
    post_bytes = 0
    for index in range(posts):
        slug, text = post_file(seed, index, author_slugs)
        post_bytes += write_text(blog / f"{slug}.md", text)
    return CorpusStats(posts, authors, post_bytes, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=1000, help="number of posts (1000)")
    parser.add_argument("--authors", type=int, default=20, help="number of authors (20)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write content/ in")
    parser.add_argument("--seed", type=int, default=42, help="random seed (42)")
    args = parser.parse_args(argv)
    if args.posts < 0 or args.authors < 1:
        parser.error("--posts must be >= 0 and --authors >= 1")
    stats = write_corpus(args.out, args.posts, args.authors, args.seed)
    print(stats.describe(args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
