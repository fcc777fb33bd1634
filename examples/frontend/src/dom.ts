import type { ImageBlock } from "@content-api/client";

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

/** Create an element: `h("a", { href: "/", class: "x" }, "text", child)`. Text is never parsed as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** An internal link, handled by the router. */
export function link(href: string, attrs: Attrs, ...children: (Child | Child[])[]): HTMLAnchorElement {
  return h("a", { ...attrs, href, "data-link": true }, ...children);
}

/** "2025-01-30" or "2025-06-02T09:30:00Z" as "January 30, 2025" (the date as written, in UTC). */
export function formatDate(iso: string): string {
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
}

export function time(iso: string): HTMLTimeElement {
  return h("time", { datetime: iso }, formatDate(iso));
}

/**
 * An image from the content. The sample site's image URLs do not exist, so when one fails to
 * load it is replaced by a box that shows its alt text (or, for an avatar, the initials).
 */
export function image(block: ImageBlock | undefined, className: string, initials?: string): HTMLElement | null {
  if (!block?.url) return null;
  const alt = block.altText ?? "";
  const img = h("img", { src: block.url, alt, class: className });
  img.addEventListener(
    "error",
    () => {
      const fallback =
        initials !== undefined
          ? h("span", { class: `${className} img-fallback avatar-fallback`, role: "img", "aria-label": alt, title: alt }, initials)
          : h("span", { class: `${className} img-fallback`, role: "img", "aria-label": alt }, alt ? h("span", {}, alt) : null);
      img.replaceWith(fallback);
    },
    { once: true },
  );
  return img;
}

export function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");
}

/**
 * Markdown source that is mostly prose (an author's `bio`) as paragraphs, with its
 * `[text](url)` links made links. Everything else stays text: nothing is parsed as HTML.
 */
export function markdownParagraphs(source: string, className: string): HTMLParagraphElement[] {
  return source
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => {
      const p = h("p", { class: className });
      let last = 0;
      for (const match of paragraph.matchAll(/\[([^\]]+)\]\((https?:\/\/[^\s)]+|\/[^\s)]*)\)/g)) {
        p.append(paragraph.slice(last, match.index), h("a", { href: match[2] }, match[1]));
        last = match.index + match[0].length;
      }
      p.append(paragraph.slice(last));
      return p;
    });
}
