import type { Entry } from "@content-api/client";
import { api } from "./api";
import { h } from "./dom";
import type { View } from "./views";

/** The editor's write token, kept for this tab only (never in localStorage, never a cookie). */
const TOKEN_KEY = "content-api-write-token";

/** The route of a post's edit form. */
export function editHref(slug: string): string {
  return `/posts/${encodeURIComponent(slug)}/edit`;
}

function tokenForm(slug: string, message: string, go: (href: string) => void): View {
  const input = h("input", { type: "password", id: "write-token", name: "token", autocomplete: "off", required: true });
  const form = h(
    "form",
    { class: "edit-form token-form" },
    h("p", {}, message),
    h("label", { for: "write-token" }, "Write token"),
    input,
    h("button", { type: "submit" }, "Edit"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    go(editHref(slug));
  });
  return { title: "Edit", body: [h("h1", {}, "Edit a post"), form] };
}

/**
 * A post's title and body, edited and written back through the editing API: "Save as draft"
 * writes it with `isDraft: true` (gone from the public pages until published), "Publish"
 * clears `isDraft`. Every save sends the ETag it read (`If-Match`): when someone else saved
 * first, the API refuses (412) and hands back the post as it is now, shown beside the form.
 */
export async function editView(slug: string, go: (href: string) => void): Promise<View> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return tokenForm(slug, "Editing needs a write token (WRITE_TOKENS_FILE).", go);
  const headers = { Authorization: `Bearer ${token}` };
  const path = `pages/blog/${slug}.md`;
  const read = await api.GET("/api/entries/{path}", { params: { path: { path } }, headers, cache: "no-store" });
  if (read.response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    return tokenForm(slug, "That token may not write: try another.", go);
  }
  if (read.error) throw new Error(`getEntry: ${read.response.status} ${read.error.message ?? ""}`);
  let entry: Entry = read.data;
  let etag = read.response.headers.get("ETag") ?? entry.etag ?? "";

  const title = h("input", { id: "edit-title", name: "title", value: String(entry.frontMatter?.title ?? "") });
  const body = h("textarea", { id: "edit-body", name: "body", rows: 16 });
  body.value = entry.body ?? "";
  const status = h("p", { id: "edit-status", role: "status" });
  const conflict = h("div", { id: "edit-conflict", class: "edit-conflict", hidden: true });
  const draft = h("button", { type: "button", id: "save-draft" }, "Save as draft");
  const publish = h("button", { type: "button", id: "publish" }, "Publish");

  const showState = () => {
    status.textContent = entry.frontMatter?.isDraft === true ? "A draft: not on the site." : "Published.";
  };
  showState();

  async function save(published: boolean): Promise<void> {
    draft.disabled = publish.disabled = true;
    try {
      const written = await api.PATCH("/api/entries/{path}", {
        params: { path: { path }, header: { "If-Match": etag } },
        headers: { ...headers, "Content-Type": "application/merge-patch+json" },
        body: {
          frontMatter: { title: title.value, isDraft: published ? null : true },
          body: body.value,
          message: published ? `Publish ${slug}` : `Draft of ${slug}`,
        },
      });
      if (written.response.status === 412 && written.error && "current" in written.error) {
        const current = written.error.current;
        etag = written.response.headers.get("ETag") ?? current?.etag ?? etag;
        conflict.hidden = false;
        conflict.replaceChildren(
          h("h2", {}, "Someone saved this post first"),
          h("p", {}, "Your text is still in the form; saving again replaces theirs. Their version:"),
          h("p", { class: "conflict-title" }, String(current?.frontMatter?.title ?? "")),
          h("pre", { class: "conflict-body" }, current?.body ?? ""),
        );
        status.textContent = "Not saved.";
        return;
      }
      if (written.error) {
        const detail = "errors" in written.error && Array.isArray(written.error.errors)
          ? written.error.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")
          : (written.error.message ?? "");
        status.textContent = `Not saved (${written.response.status}): ${detail}`;
        return;
      }
      entry = written.data;
      etag = written.response.headers.get("ETag") ?? written.data.etag ?? etag;
      conflict.hidden = true;
      if (published) {
        go(`/posts/${encodeURIComponent(slug)}`);
        return;
      }
      showState();
      status.textContent += ` Saved (commit ${written.data.commit.slice(0, 7)}).`;
    } finally {
      draft.disabled = publish.disabled = false;
    }
  }
  draft.addEventListener("click", () => void save(false));
  publish.addEventListener("click", () => void save(true));

  const form = h(
    "form",
    { class: "edit-form" },
    h("label", { for: "edit-title" }, "Title"),
    title,
    h("label", { for: "edit-body" }, "Body (Markdown)"),
    body,
    h("div", { class: "edit-actions" }, draft, publish),
    status,
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  return { title: `Edit: ${entry.frontMatter?.title ?? slug}`, body: [h("h1", {}, "Edit a post"), form, conflict] };
}
