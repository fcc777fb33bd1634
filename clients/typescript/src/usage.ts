/**
 * Usage of the client, type-checked by `npm run check` (`tsc --noEmit`): it is compiled, never
 * run by the check. Every answer is typed from the spec; there is no cast and no `any`.
 */
import { createContentClient } from "./index";
import type { Author, Entry, PageDocument, Post, PostSummary, Section, WriteAnswer } from "./index";

const api = createContentClient("http://127.0.0.1:5000");

/** A page of post summaries, with the API's pagination. */
export async function listPosts(page: number): Promise<{ posts: PostSummary[]; totalPages: number }> {
  const { data, error } = await api.GET("/api/posts", {
    params: { query: { page, page_size: 5, sort: "-date" } },
  });
  if (error) throw new Error(`listPosts: ${error.code} ${error.message ?? error.status}`);
  return { posts: data.items, totalPages: data.pagination.totalPages };
}

/** One line per section; the switch narrows `section` to the member of the union. */
export function describeSection(section: Section): string {
  switch (section.type) {
    case "RecentPostsSection": {
      // RecentPostsSection-only fields, typed without a cast.
      const posts: PostSummary[] = section.posts ?? [];
      const count: number | undefined = section.recentCount;
      return `recent posts (${count ?? 3}): ${posts.map((p) => p.title).join(", ")}`;
    }
    case "FeaturedPostsSection":
      return `featured posts: ${(section.posts ?? []).map((p) => p.slug).join(", ")}`;
    case "HeroSection":
      return `hero: ${section.title ?? ""}`;
    case "TextSection":
      return `text: ${section.title ?? ""}`;
    default:
      // Every other section, known or a theme's own. `section.type` is a string at run time
      // (for a theme's own section, whatever its file says).
      return `section ${String(section.type)}`;
  }
}

/** A post with its sections; null when the API answers 404. */
export async function readPost(slug: string): Promise<Post | null> {
  const { data, error, response } = await api.GET("/api/posts/{slug}", {
    params: { path: { slug } },
  });
  if (response.status === 404) return null;
  if (error) throw new Error(`getPost: ${error.code} ${error.message ?? error.status}`);
  const post: Post = data;
  const authorName: string | undefined = post.author?.name;
  // A post without a Markdown body has no html, toc, readingTime or wordCount.
  const toc: string[] = (post.toc ?? []).map((entry) => entry.title);
  console.log(post.title, post.date, authorName, toc, post.html?.length ?? 0);
  for (const section of post.bottomSections ?? []) console.log(describeSection(section));
  return post;
}

/** An author and their posts. */
export async function readAuthor(slug: string): Promise<{ author: Author; posts: PostSummary[] }> {
  const [author, posts] = await Promise.all([
    api.GET("/api/authors/{slug}", { params: { path: { slug } } }),
    api.GET("/api/authors/{slug}/posts", { params: { path: { slug }, query: { page_size: 100 } } }),
  ]);
  if (author.error) throw new Error(`getAuthor: ${author.error.message ?? author.error.status}`);
  if (posts.error) throw new Error(`listAuthorPosts: ${posts.error.message ?? posts.error.status}`);
  return { author: author.data, posts: posts.data.items };
}

/** The page at a URL path; `switch (page.type)` narrows to the layout. */
export async function readPage(path: string): Promise<PageDocument> {
  const { data, error } = await api.GET("/api/pages", { params: { query: { path } } });
  if (error) throw new Error(`getPage: ${error.code} ${error.message ?? error.status}`);
  switch (data.type) {
    case "PageLayout":
      for (const section of data.sections ?? []) console.log(describeSection(section));
      break;
    case "PostFeedLayout":
      console.log(`feed page ${data.pagination.page}/${data.pagination.totalPages}`);
      break;
    case "PostLayout":
      console.log(`post by ${data.author?.name ?? "nobody"}`);
      break;
    default:
      console.log(`page of type ${String(data.type)}`);
  }
  return data;
}

export async function main(): Promise<void> {
  const { posts } = await listPosts(1);
  const first = posts[0];
  if (first) await readPost(first.slug);
  await readAuthor("jason-hand");
  await readPage("/");
}

/** Retitle a post through the editing API: read its entry, write it back with `If-Match`;
 * a 412 hands back the entry as it now is. */
export async function retitle(token: string, slug: string, title: string): Promise<string> {
  const headers = { Authorization: `Bearer ${token}` };
  const path = `pages/blog/${slug}.md`;
  const read = await api.GET("/api/entries/{path}", { params: { path: { path } }, headers });
  if (read.error) throw new Error(`getEntry: ${read.error.code} ${read.error.message ?? ""}`);
  const entry: Entry = read.data;
  const etag = read.response.headers.get("ETag") ?? "";
  const written = await api.PUT("/api/entries/{path}", {
    params: { path: { path }, header: { "If-Match": etag } },
    headers,
    body: { frontMatter: { ...entry.frontMatter, title }, body: entry.body ?? "" },
  });
  if (written.response.status === 412 && written.error) {
    const error = written.error;
    const current: Entry | undefined = "current" in error ? error.current : undefined;
    return `stale: the title is now ${String(current?.frontMatter?.title)}`;
  }
  if (written.error) throw new Error(`putEntry: ${written.error.code} ${written.error.message}`);
  const answer: WriteAnswer = written.data;
  return answer.commit;
}
