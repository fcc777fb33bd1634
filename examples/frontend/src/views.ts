import type { Author, AuthorSummary, Post, PostSummary, RecentPostsSection, Section } from "@content-api/client";
import { PAGE_SIZE, api, unwrap } from "./api";
import { h, image, initialsOf, link, markdownParagraphs, time } from "./dom";
import { editHref } from "./edit";

/** What a route renders: the document title and the content of <main>. */
export interface View {
  title: string;
  body: Node[];
  /** The API's URL paths of the pages this view shows: a change to one re-renders it. */
  contentPaths?: string[];
}

/** The locale a route shows (`?locale=`), kept by every link it draws; none: the site's default. */
let locale: string | undefined;
export function setLocale(code: string | undefined): void {
  locale = code || undefined;
}
const inLocale = (path: string, code = locale): string => (code ? `${path}?locale=${encodeURIComponent(code)}` : path);
const query = (): { locale?: string } => (locale ? { locale } : {});

export const postHref = (slug: string, code = locale): string => inLocale(`/posts/${encodeURIComponent(slug)}`, code);
export const authorHref = (slug: string): string => inLocale(`/authors/${encodeURIComponent(slug)}`);

function byline(author: AuthorSummary | Author | undefined, date: string): HTMLElement {
  return h(
    "p",
    { class: "byline" },
    author
      ? link(
          authorHref(author.slug),
          { class: "author-link" },
          image(author.image, "avatar", initialsOf(author.name)),
          h("span", { class: "author-name" }, author.name),
        )
      : null,
    time(date),
  );
}

function postCard(post: PostSummary): HTMLElement {
  return h(
    "article",
    { class: "card", "data-slug": post.slug },
    image(post.featuredImage, "card-image"),
    h("h3", {}, link(postHref(post.slug), { class: "card-link" }, post.title)),
    byline(post.author, post.date),
    post.excerpt ? h("p", { class: "excerpt" }, post.excerpt) : null,
    h("p", { class: "meta" }, `${post.readingTime} min read`),
  );
}

// The blog index: one page of posts, with the API doing the pagination.
export async function indexView(page: number): Promise<View> {
  const data = unwrap(
    "listPosts",
    await api.GET("/api/posts", { params: { query: { page, page_size: PAGE_SIZE, sort: "-date", ...query() } } }),
  );
  const { totalPages, totalItems } = data.pagination;
  const pager = h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "prev", disabled: page <= 1, "data-page": page - 1 }, "← Previous"),
    h("span", { class: "page-status" }, `Page ${page} of ${totalPages}`),
    h("button", { type: "button", class: "next", disabled: page >= totalPages, "data-page": page + 1 }, "Next →"),
  );
  const body: Node[] = [
    h("h1", {}, "Posts"),
    h("p", { class: "meta" }, `${totalItems} posts`),
    data.items.length
      ? h("div", { class: "cards" }, data.items.map(postCard))
      : h("p", { class: "empty" }, "No posts on this page."),
    pager,
  ];
  return { title: page > 1 ? `Posts, page ${page}` : "Posts", body };
}

function tableOfContents(post: Post): HTMLElement | null {
  const toc = post.toc ?? []; // absent when the post has no Markdown body
  if (toc.length === 0) return null;
  const top = Math.min(...toc.map((entry) => entry.level));
  return h(
    "nav",
    { class: "toc", "aria-label": "Table of contents" },
    h("h2", {}, "On this page"),
    h(
      "ol",
      {},
      toc.map((entry) =>
        h("li", { class: `toc-level-${entry.level - top + 1}` }, h("a", { href: `#${entry.id}` }, entry.title)),
      ),
    ),
  );
}

function recentPosts(section: RecentPostsSection): HTMLElement {
  const posts = section.posts ?? [];
  return h(
    "section",
    { class: "recent-posts" },
    h("h2", {}, section.title ?? section.subtitle ?? "Recent posts"),
    posts.length ? h("div", { class: "cards" }, posts.map(postCard)) : h("p", { class: "empty" }, "No other posts yet."),
  );
}

/** A section of the post; the switch narrows `section` to its member of the union. */
function sectionView(section: Section): HTMLElement | null {
  switch (section.type) {
    case "RecentPostsSection":
      return recentPosts(section);
    case "FeaturedPostsSection":
      return h(
        "section",
        { class: "featured-posts" },
        h("h2", {}, section.title ?? "Featured posts"),
        h("div", { class: "cards" }, (section.posts ?? []).map(postCard)),
      );
    default:
      // Sections this small front end does not draw (and a theme's own sections).
      return null;
  }
}

/** A post; `fresh`: ask the API again rather than the browser's HTTP cache (a live update). */
export async function postView(slug: string, fresh = false): Promise<View> {
  const post = unwrap(
    "getPost",
    await api.GET("/api/posts/{slug}", {
      params: { path: { slug }, query: query() },
      cache: fresh ? "no-cache" : "default",
    }),
  );
  const body = h("div", { class: "post-body" });
  // The API renders the Markdown body to HTML.
  body.innerHTML = post.html ?? "";
  const article = h(
    "article",
    { class: "post", lang: post.locale },
    languageSwitch(post),
    h("h1", {}, post.title),
    byline(post.author, post.date),
    link(editHref(post.slug), { class: "edit-link" }, "Edit"),
    h("p", { class: "meta" }, `${post.readingTime} min read · ${post.wordCount} words`),
    image(post.featuredImage, "hero-image"),
    h("div", { class: "post-layout" }, tableOfContents(post), body),
  );
  const sections = (post.bottomSections ?? []).map(sectionView).filter((node) => node !== null);
  return { title: post.title, body: [article, ...sections], contentPaths: [post.url] };
}

/** On a site of several languages: the language shown, and a link to each other version
 * (the post's `translations`: every other locale's version, with its URL). */
function languageSwitch(post: Post): HTMLElement | null {
  if (!post.locale || !post.translations) return null;
  return h(
    "nav",
    { class: "languages", "aria-label": "Languages" },
    h("span", { class: "current", "data-locale": post.locale }, post.locale),
    post.translations.map((version) =>
      link(
        postHref(decodeURIComponent(version.url.split("/").pop() ?? ""), version.locale),
        { class: "translation", "data-locale": version.locale, hreflang: version.locale },
        version.locale,
      ),
    ),
  );
}

export async function authorView(slug: string): Promise<View> {
  const [authorAnswer, postsAnswer] = await Promise.all([
    api.GET("/api/authors/{slug}", { params: { path: { slug }, query: query() } }),
    api.GET("/api/authors/{slug}/posts", { params: { path: { slug }, query: { page_size: 100, ...query() } } }),
  ]);
  const author = unwrap("getAuthor", authorAnswer);
  const posts = unwrap("listAuthorPosts", postsAnswer);
  const profile = h(
    "section",
    { class: "profile" },
    image(author.image, "avatar avatar-large", initialsOf(author.name)),
    h(
      "div",
      {},
      h("h1", {}, author.name),
      author.role ? h("p", { class: "role" }, author.role) : null,
      // `bio` is Markdown source: paragraphs and links are enough for a bio.
      markdownParagraphs(author.bio ?? "", "bio"),
    ),
  );
  const count = posts.pagination.totalItems;
  return {
    title: author.name,
    body: [
      profile,
      h("h2", {}, `${count} ${count === 1 ? "post" : "posts"} by ${author.firstName}`),
      h("div", { class: "cards" }, posts.items.map(postCard)),
    ],
  };
}

export function notFoundView(detail: string): View {
  return {
    title: "Not found",
    body: [
      h("section", { class: "not-found" }, h("h1", {}, "404 — Page not found"), h("p", {}, detail), link("/", {}, "Back to all posts")),
    ],
  };
}

export function errorView(message: string): View {
  return {
    title: "Error",
    body: [h("section", { class: "error" }, h("h1", {}, "Something went wrong"), h("p", {}, message))],
  };
}
