import type { SearchHit } from "@content-api/client";
import { api, unwrap } from "./api";
import { h, link, time } from "./dom";
import { postHref } from "./views";
import type { View } from "./views";

/** Hits per page of search results. */
export const SEARCH_PAGE_SIZE = 10;

export const searchHref = (q: string, page = 1): string =>
  `/search?q=${encodeURIComponent(q)}${page > 1 ? `&page=${page}` : ""}`;

/**
 * A snippet is HTML from the API: matched words in <mark>, everything else escaped. It is
 * still parsed here, not assigned as innerHTML: only <mark> becomes an element, anything
 * else is kept as its text.
 */
export function snippetNodes(snippet: string): Node[] {
  const parsed = new DOMParser().parseFromString(`<body>${snippet}</body>`, "text/html");
  return Array.from(parsed.body.childNodes, (node) =>
    node.nodeName === "MARK" ? h("mark", {}, node.textContent ?? "") : document.createTextNode(node.textContent ?? ""),
  );
}

/** Where a hit leads in this front end: posts have pages here, other pages link to the site. */
function hitLink(hit: SearchHit): HTMLElement {
  if (hit.type === "PostLayout") return link(postHref(hit.slug), { class: "hit-link" }, hit.title);
  return h("span", { class: "hit-link" }, hit.title);
}

function hitView(hit: SearchHit): HTMLElement {
  return h(
    "li",
    { class: "hit", "data-slug": hit.slug, "data-type": hit.type },
    h("h3", {}, hitLink(hit)),
    h(
      "p",
      { class: "meta" },
      hit.type === "PostLayout" ? "Post" : hit.type === "ProjectLayout" ? "Project" : "Page",
      hit.author ? ` · ${hit.author.name}` : "",
      hit.date ? " · " : "",
      hit.date ? time(hit.date) : null,
    ),
    h("p", { class: "snippet" }, snippetNodes(hit.snippet)),
  );
}

/** The search results page: `/search?q=...&page=N`, the API ranking and paginating. */
export async function searchView(q: string, page: number): Promise<View> {
  const query = q.trim();
  if (!query) {
    return { title: "Search", body: [h("h1", {}, "Search"), h("p", { class: "empty" }, "Type something to search for.")] };
  }
  const data = unwrap(
    "search",
    await api.GET("/api/search", { params: { query: { q: query.slice(0, 200), page, page_size: SEARCH_PAGE_SIZE } } }),
  );
  const { totalItems, totalPages } = data.pagination;
  const pager =
    totalPages > 1
      ? h(
          "nav",
          { class: "pager", "aria-label": "Result pages" },
          page > 1 ? link(searchHref(query, page - 1), { class: "prev" }, "← Previous") : null,
          h("span", { class: "page-status" }, `Page ${page} of ${totalPages}`),
          page < totalPages ? link(searchHref(query, page + 1), { class: "next" }, "Next →") : null,
        )
      : null;
  return {
    title: `Search: ${query}`,
    body: [
      h("h1", {}, "Search"),
      h("p", { class: "meta search-status" }, `${totalItems} ${totalItems === 1 ? "result" : "results"} for “${query}”`),
      data.items.length
        ? h("ol", { class: "hits" }, data.items.map(hitView))
        : h("p", { class: "empty" }, "Nothing matches. Try fewer or other words."),
      ...(pager ? [pager] : []),
    ],
  };
}

/**
 * The search box in the header: results as you type (after a short pause), and on Enter.
 * Typing replaces the current results page in the history instead of stacking one per key.
 */
export function wireSearchBox(navigate: (href: string, replace?: boolean) => void): void {
  const form = document.querySelector<HTMLFormElement>("form.search");
  const input = form?.querySelector<HTMLInputElement>('input[name="q"]');
  if (!form || !input) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const go = (replace: boolean): void => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q) navigate(searchHref(q), replace && location.pathname === "/search");
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(false);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => go(true), 250);
  });
}

/** Keep the box showing the query of the results page (after back and forward too). */
export function syncSearchBox(url: URL): void {
  const input = document.querySelector<HTMLInputElement>('form.search input[name="q"]');
  if (input && url.pathname === "/search" && document.activeElement !== input) {
    input.value = url.searchParams.get("q") ?? "";
  }
}
