/**
 * @content-api/client: a typed client for the Content API.
 *
 * The types in ./schema.d.ts are generated from openapi/openapi.json by openapi-typescript
 * (`npm run generate`; `npm run check` fails when they are stale). Calls go through
 * openapi-fetch, so every path, query parameter and answer is typed from the spec:
 *
 *   const api = createContentClient("http://127.0.0.1:5000");
 *   const { data, error } = await api.GET("/api/posts/{slug}", {
 *     params: { path: { slug: "ai-security-and-the-end-of-silos" } },
 *   });
 */
import createClient from "openapi-fetch";
import type { ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];

/** The openapi-fetch client over the Content API's paths. */
export type ContentClient = ReturnType<typeof createClient<paths>>;

/**
 * A client for the API at `baseUrl` (e.g. "http://127.0.0.1:5000", no trailing `/api`:
 * the paths in the spec start with `/api/`).
 */
export function createContentClient(
  baseUrl: string,
  options: Omit<ClientOptions, "baseUrl"> = {},
): ContentClient {
  return createClient<paths>({ ...options, baseUrl: baseUrl.replace(/\/+$/, "") });
}

// Resources.
export type Post = Schemas["Post"];
export type PostSummary = Schemas["PostSummary"];
export type PostPage = Schemas["PostPage"];
export type RecentPosts = Schemas["RecentPosts"];
export type Author = Schemas["Author"];
export type AuthorSummary = Schemas["AuthorSummary"];
export type AuthorPage = Schemas["AuthorPage"];
export type Pagination = Schemas["Pagination"];
export type PageDocument = Schemas["PageDocument"];
export type Page = Schemas["Page"];
export type PostFeedPage = Schemas["PostFeedPage"];
export type ProjectPage = Schemas["ProjectPage"];
export type ProjectFeedPage = Schemas["ProjectFeedPage"];
export type ProjectSummary = Schemas["ProjectSummary"];
export type ProjectList = Schemas["ProjectList"];
export type PagePath = Schemas["PagePath"];
export type Site = Schemas["Site"];
export type Config = Schemas["Config"];
export type ThemeStyle = Schemas["ThemeStyle"];
export type Health = Schemas["Health"];
export type ApiIndex = Schemas["ApiIndex"];
export type ApiError = Schemas["Error"];
export type TocEntry = Schemas["TocEntry"];
export type ImageBlock = Schemas["ImageBlock"];
export type UnknownObject = Schemas["UnknownObject"];

// Editing (with WRITE_TOKENS_FILE; send `Authorization: Bearer <token>` in `headers`).
export type Entry = Schemas["Entry"];
export type WriteAnswer = Schemas["WriteAnswer"];
export type WriteError = Schemas["WriteError"];
export type CommitRequest = Schemas["CommitRequest"];
export type CommitAnswer = Schemas["CommitAnswer"];
export type Operation = Schemas["Operation"];

// Discovery: search, tags, related posts.
export type SearchHit = Schemas["SearchHit"];
export type SearchPage = Schemas["SearchPage"];
export type Tag = Schemas["Tag"];
export type TagList = Schemas["TagList"];
export type RelatedPosts = Schemas["RelatedPosts"];

/** Any section of a page or post: the union of `bottomSections` items, discriminated on `type`. */
export type Section = NonNullable<Post["bottomSections"]>[number];
/** The `type` values of the sections the spec knows. */
export type SectionType = Section["type"];

// Sections.
export type HeroSection = Schemas["HeroSection"];
export type ContactSection = Schemas["ContactSection"];
export type CtaSection = Schemas["CtaSection"];
export type DividerSection = Schemas["DividerSection"];
export type FeaturedItemsSection = Schemas["FeaturedItemsSection"];
export type FeaturedPostsSection = Schemas["FeaturedPostsSection"];
export type RecentPostsSection = Schemas["RecentPostsSection"];
export type FeaturedProjectsSection = Schemas["FeaturedProjectsSection"];
export type RecentProjectsSection = Schemas["RecentProjectsSection"];
export type LabelsSection = Schemas["LabelsSection"];
export type MediaGallerySection = Schemas["MediaGallerySection"];
export type QuoteSection = Schemas["QuoteSection"];
export type TestimonialsSection = Schemas["TestimonialsSection"];
export type TextSection = Schemas["TextSection"];
