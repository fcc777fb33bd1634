import "./style.css";
import { API_URL, NotFoundError } from "./api";
import { h } from "./dom";
import { followChanges } from "./live";
import { editView } from "./edit";
import { searchView, syncSearchBox, wireSearchBox } from "./search";
import { authorView, errorView, indexView, notFoundView, postHref, postView, setLocale } from "./views";
import type { View } from "./views";

const app = document.querySelector<HTMLElement>("#app")!;
document.querySelector("#api-url")!.textContent = API_URL;

/** The route for a URL: `/`, `/?page=2`, `/posts/<slug>`, `/authors/<slug>`, each in the locale
 * of `?locale=` (a site of several languages); anything else is a 404. */
async function resolve(url: URL, fresh = false): Promise<View> {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  setLocale(url.searchParams.get("locale") ?? undefined);
  const translated = /^\/([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\/blog\/([^/]+)$/.exec(path);
  if (translated) {
    // A translation's URL as the API gives it (/de/blog/<slug>), as links in bodies use it.
    const [, code, raw] = translated;
    const slug = decodeURIComponent(raw!);
    setLocale(code);
    history.replaceState(null, "", postHref(slug));
    return postView(slug, fresh);
  }
  if (path === "/") {
    const page = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
    return indexView(Number.isInteger(page) && page > 0 ? page : 1);
  }
  if (path === "/search") {
    const page = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
    return searchView(url.searchParams.get("q") ?? "", Number.isInteger(page) && page > 0 ? page : 1);
  }
  const editing = /^\/posts\/([^/]+)\/edit$/.exec(path);
  // After a save, the post is asked for afresh (the browser's cache still holds the old one).
  if (editing) return editView(decodeURIComponent(editing[1]!), (href) => navigate(href, false, true));
  const match = /^\/(posts|blog|authors)\/([^/]+)$/.exec(path);
  if (match) {
    const [, kind, raw] = match;
    const slug = decodeURIComponent(raw!);
    if (kind === "authors") return authorView(slug);
    if (kind === "blog") {
      // The API's own URL of a post (/blog/<slug>), as links in bodies use it.
      history.replaceState(null, "", postHref(slug));
    }
    return postView(slug, fresh);
  }
  return notFoundView(`Nothing lives at ${url.pathname}.`);
}

let rendered = "";
let generation = 0;
let shownPaths: string[] = [];

/** Render the route of the current URL; `live`: the same page again, updated (keep the scroll);
 * `fresh`: its content asked for past the browser's cache (it was just written). */
async function render(live = false, fresh = false): Promise<void> {
  const url = new URL(location.href);
  rendered = url.pathname + url.search;
  syncSearchBox(url);
  const current = ++generation;
  app.setAttribute("aria-busy", "true");
  let view: View;
  try {
    view = await resolve(url, live || fresh);
  } catch (error) {
    if (error instanceof NotFoundError) view = notFoundView(error.message);
    else view = errorView(error instanceof Error ? error.message : String(error));
  }
  if (current !== generation) return; // a later navigation won
  document.title = `${view.title} · Content API blog`;
  app.replaceChildren(...view.body);
  app.dataset.route = url.pathname;
  app.setAttribute("aria-busy", "false");
  shownPaths = view.contentPaths ?? [];
  if (live) {
    app.dataset.updates = String(Number(app.dataset.updates ?? "0") + 1);
    return;
  }
  if (url.hash) document.getElementById(decodeURIComponent(url.hash.slice(1)))?.scrollIntoView();
  else window.scrollTo(0, 0);
}

export function navigate(href: string, replace = false, fresh = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  void render(false, fresh);
}

wireSearchBox(navigate);

// Live updates: when the open post changes (an editor saves it), show the new version.
followChanges((change) => {
  if (shownPaths.some((path) => change.changed.paths.includes(path))) void render(true);
});

// Internal links and the pager's buttons go through the router.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = event.target as Element | null;
  const button = target?.closest<HTMLButtonElement>("button[data-page]");
  if (button && !button.disabled) {
    const page = Number(button.dataset.page);
    const params = new URLSearchParams(location.search);
    if (page > 1) params.set("page", String(page));
    else params.delete("page");
    navigate(params.size ? `/?${params}` : "/");
    return;
  }
  const anchor = target?.closest<HTMLAnchorElement>("a[href]");
  if (!anchor || anchor.target || anchor.origin !== location.origin) return;
  const next = new URL(anchor.href);
  if (next.pathname === location.pathname && next.search === location.search && next.hash) return; // in-page anchor
  if (anchor.hasAttribute("data-link") || /^\/(posts|blog|authors)\/|^\/search$/.test(next.pathname)) {
    event.preventDefault();
    navigate(next.pathname + next.search + next.hash);
  }
});

window.addEventListener("popstate", () => {
  const url = new URL(location.href);
  if (url.pathname + url.search !== rendered) void render();
});

app.append(h("p", { class: "loading" }, "Loading…"));
void render();
