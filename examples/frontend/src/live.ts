import { API_URL } from "./api";

/** The body of each `content` event of `/api/events` (the same JSON as the API's webhooks). */
export interface ContentChange {
  contentVersion: string;
  previousVersion: string;
  changed: { paths: string[]; keys: string[] };
}

/**
 * Live updates: the API sends an event after each change to its content (`/api/events`,
 * Server-Sent Events); `onChange` hears each one. An editor saves, the open page updates.
 * The browser reconnects by itself when the stream drops.
 */
export function followChanges(onChange: (change: ContentChange) => void): EventSource {
  const source = new EventSource(`${API_URL}/api/events`);
  // Says on the page whether the stream is open (the browser test waits for it).
  source.addEventListener("open", () => (document.documentElement.dataset.live = "open"));
  source.addEventListener("error", () => (document.documentElement.dataset.live = "reconnecting"));
  source.addEventListener("content", (event) => {
    onChange(JSON.parse((event as MessageEvent<string>).data) as ContentChange);
  });
  return source;
}
