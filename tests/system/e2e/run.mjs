// Drives headless Debian chromium (through playwright-core, no browser download) through the
// example front end: the index, its page 2, the seed post, a recent-post card, that post's
// author, and an unknown slug; then the API's /api/docs page with the network cut off (see
// docsOffline). It asserts the visible text at each step and saves a screenshot
// per step. tests/system/e2e/run.sh starts the API and the front end and then runs this file.
//
// Then a post is edited in the front end's form (editSteps), and a second browser's stale save
// is refused. Environment: APP_URL (the front end), API_URL (the API, for the expected values),
// WRITE_TOKEN (an editor's token of the API's WRITE_TOKENS_FILE),
// CONTENT_COPY (the content folder the API serves, which the live-update step edits),
// SCREENSHOT_DIR (where the PNGs go), CHROMIUM (default /usr/bin/chromium), CHROMIUM_PROFILE
// (an empty directory for the browser's profile; default a new temporary one); LOCALES_APP_URL
// and LOCALES_API_URL: the same front end over an API serving tests/fixtures/bilingual-site.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const APP_URL = required("APP_URL").replace(/\/+$/, "");
const API_URL = required("API_URL").replace(/\/+$/, "");
const SCREENSHOT_DIR = required("SCREENSHOT_DIR");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 15_000;

// The seed post of the bundled content: the flow must show it, with its author.
const SEED = {
  slug: "ai-security-and-the-end-of-silos",
  title: "AI, Security, and the End of Silos",
  author: "Jason Hand",
  date: "January 30, 2025",
  firstWords: "One of the most interesting things about AI in security",
};

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`e2e: ${name} is not set (run tests/system/e2e/run.sh)`);
    process.exit(2);
  }
  return value;
}

/** The API's own answer, the truth the pages are checked against. */
async function apiGet(path, base = API_URL) {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response.json();
}

function fail(message) {
  throw new Error(message);
}

function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

/** Wait until `text` is visible inside `scope` (a locator or the page). */
async function seeText(scope, text, what = text) {
  try {
    await scope.getByText(text, { exact: false }).first().waitFor({ state: "visible", timeout: TIMEOUT });
  } catch {
    fail(`expected to see ${JSON.stringify(what)} on the page`);
  }
}

async function heading(page, expected) {
  const h1 = page.locator("main h1");
  try {
    await page.locator("main h1", { hasText: expected }).first().waitFor({ state: "visible", timeout: TIMEOUT });
  } catch {
    const found = await h1.allInnerTexts().catch(() => []);
    fail(`expected the heading ${JSON.stringify(expected)}, found ${JSON.stringify(found)}`);
  }
  assertEqual((await h1.first().innerText()).trim(), expected, "heading");
}

async function cardTitles(scope) {
  return (await scope.locator(".card h3").allInnerTexts()).map((t) => t.trim());
}

async function settled(page) {
  await page.locator('main[aria-busy="false"]').waitFor({ timeout: TIMEOUT });
}

let stepNumber = 0;
const shots = [];

async function step(page, name, body) {
  stepNumber += 1;
  const file = join(SCREENSHOT_DIR, `${String(stepNumber).padStart(2, "0")}-${name}.png`);
  const started = Date.now();
  try {
    await body();
    await settled(page);
    // The sample's image URLs do not exist: each image swaps itself for its alt text when it
    // fails. Wait until no image is still loading, so the screenshot shows the settled page.
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete), null, {
      timeout: TIMEOUT,
    });
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
    console.log(`ok ${stepNumber} ${name} (${Date.now() - started} ms) ${page.url()}`);
  } catch (error) {
    const failed = file.replace(/\.png$/, "-FAILED.png");
    await page.screenshot({ path: failed, fullPage: true }).catch(() => {});
    console.error(`not ok ${stepNumber} ${name}: ${error.message}\n  at ${page.url()}\n  screenshot: ${failed}`);
    throw error;
  }
}

// --- The documentation page offline (issue 16) ------------------------------------------------
// /api/docs with the network cut off: every request that does not go to a loopback address is
// blocked (playwright route interception), as on a laptop on a train or in an air-gapped network.
// Swagger UI must still list every operation of the spec, without asking for anything outside;
// with Swagger UI's own script blocked too, the page must show its plain link to the spec.
const LOOPBACK_URL = /^https?:\/\/(127(\.\d{1,3}){3}|localhost|\[::1\])(:\d+)?\//;

/** Like `step`, for pages outside the front end: no front-end readiness marker to wait for. */
async function pageStep(page, name, body) {
  stepNumber += 1;
  const file = join(SCREENSHOT_DIR, `${String(stepNumber).padStart(2, "0")}-${name}.png`);
  try {
    await body();
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
    console.log(`ok ${stepNumber} ${name} ${page.url()}`);
  } catch (error) {
    const failed = file.replace(/\.png$/, "-FAILED.png");
    await page.screenshot({ path: failed, fullPage: true }).catch(() => {});
    console.error(`not ok ${stepNumber} ${name}: ${error.message}\n  at ${page.url()}\n  screenshot: ${failed}`);
    throw error;
  }
}

async function docsOffline(context) {
  const spec = await apiGet("/api/openapi.json");
  const expected = Object.entries(spec.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => method !== "parameters")
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
  const page = await context.newPage();
  const outside = [];
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (LOOPBACK_URL.test(url) || url.startsWith("data:")) return route.continue();
    outside.push(url);
    return route.abort("internetdisconnected");
  });
  try {
    await pageStep(page, "docs-offline", async () => {
      await page.goto(`${API_URL}/api/docs`);
      await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, expected.length);
      const listed = await page.locator(".opblock").evaluateAll((blocks) =>
        blocks.map((block) => {
          const method = block.querySelector(".opblock-summary-method")?.textContent?.trim();
          const path = block.querySelector(".opblock-summary-path")?.getAttribute("data-path");
          return `${method} ${path}`;
        }),
      );
      assertEqual(listed.sort(), expected, "operations listed on /api/docs offline");
      await seeText(page.locator(".information-container"), spec.info.title);
      if (await page.locator("#docs-fallback").isVisible()) fail("the fallback should hide once Swagger UI has drawn the spec");
      if (outside.length) fail(`the docs page asked for addresses outside this machine: ${outside.join(", ")}`);
      if (errors.length) fail(`uncaught errors on the docs page: ${errors.join("; ")}`);
    });
    // Swagger UI's script blocked as well (the later route runs first): the plain link shows.
    await page.route("**/swagger-ui-bundle.js", (route) => route.abort("blockedbyclient"));
    await pageStep(page, "docs-without-swagger-ui", async () => {
      await page.goto(`${API_URL}/api/docs`);
      await seeText(page, "The interactive documentation could not start");
      const link = page.locator("#docs-spec-link");
      await link.waitFor({ state: "visible" });
      assertEqual(await link.getAttribute("href"), "/api/openapi.json", "the fallback link");
      if (errors.length) fail(`uncaught errors on the docs page: ${errors.join("; ")}`);
    });
  } finally {
    await page.close();
  }
}
// --- end of the documentation page offline ------------------------------------------------------
/** The search box: results as the API ranks them, snippets with the matched words marked. */
async function searchSteps(page) {
  const box = page.getByRole("searchbox", { name: "Search" });

  // 7. Typing "silos" shows the seed post first, its snippet with <mark>silos</mark>.
  const silos = await apiGet("/api/search?q=silos&page_size=10");
  await step(page, "search-silos", async () => {
    await page.goto(`${APP_URL}/`);
    await box.fill("silos");
    await page.waitForURL(/\/search\?q=silos$/);
    await heading(page, "Search");
    const count = silos.pagination.totalItems;
    await seeText(page, `${count} ${count === 1 ? "result" : "results"} for “silos”`);
    const hits = page.locator("ol.hits li.hit");
    assertEqual(
      (await hits.locator("h3").allInnerTexts()).map((t) => t.trim()),
      silos.items.map((hit) => hit.title),
      "search hits",
    );
    assertEqual(await hits.first().getAttribute("data-slug"), SEED.slug, "first hit");
    const marks = (await hits.first().locator(".snippet mark").allInnerTexts()).map((t) => t.toLowerCase());
    if (!marks.includes("silos")) fail(`the seed post's snippet should mark "silos", marked ${JSON.stringify(marks)}`);
    // The snippet is shown as text with marks, never as markup from the content.
    assertEqual(await hits.locator(".snippet *:not(mark)").count(), 0, "elements other than <mark> in snippets");
  });

  // 8. A prefix, as typed, and Enter: "kubern" finds the Kubernetes post.
  const kubern = await apiGet("/api/search?q=kubern&page_size=10");
  await step(page, "search-prefix", async () => {
    await box.fill("kubern");
    await box.press("Enter");
    await page.waitForURL(/\/search\?q=kubern$/);
    await seeText(page, "for “kubern”");
    const first = page.locator("ol.hits li.hit").first();
    assertEqual((await first.locator("h3").innerText()).trim(), kubern.items[0].title, "first hit for kubern");
    await seeText(first.locator(".snippet mark").first(), "Kubernetes");
  });

  // 9. A hit is a link to its post.
  await step(page, "search-hit-opens-post", async () => {
    await page.locator("ol.hits li.hit").first().getByRole("link").click();
    await page.waitForURL(`**/posts/${kubern.items[0].slug}`);
    await heading(page, kubern.items[0].title);
  });

  // Hostile input is just text: no result, no error.
  await page.goto(`${APP_URL}/search?q=${encodeURIComponent('"*NEAR( <script>')}`);
  await seeText(page, "0 results for");
}

// --- Live updates (issue 13) ------------------------------------------------------------------
// An editor saves the open post (a temporary file renamed over it, as editors and git write);
// the page, following /api/events, shows the new title without being reloaded or navigated.
async function liveUpdate(page) {
  const file = join(required("CONTENT_COPY"), "pages", "blog", `${SEED.slug}.md`);
  const original = readFileSync(file, "utf8");
  const edited = "AI, Security, and the End of Silos (edited live)";
  try {
    await step(page, "live-update", async () => {
      await page.goto(`${APP_URL}/posts/${SEED.slug}`);
      await heading(page, SEED.title);
      await page.waitForFunction(() => document.documentElement.dataset.live === "open", null, {
        timeout: TIMEOUT,
      });
      const marker = await page.evaluate(() => {
        window.__notReloaded = true; // gone if the page were loaded again
        return document.querySelector("#app").dataset.updates ?? "0";
      });
      writeFileSync(`${file}.tmp`, original.replace(`title: ${SEED.title}`, `title: ${edited}`));
      renameSync(`${file}.tmp`, file);
      await heading(page, edited);
      const after = await page.evaluate(() => ({
        updates: document.querySelector("#app").dataset.updates,
        notReloaded: window.__notReloaded === true,
        path: location.pathname,
      }));
      assertEqual(after.notReloaded, true, "the page was updated in place");
      assertEqual(after.path, `/posts/${SEED.slug}`, "the page stayed where it was");
      if (Number(after.updates) <= Number(marker)) fail("the view was not rendered again by the event");
    });
  } finally {
    writeFileSync(file, original);
  }
}

// --- Several languages (issue 23) -------------------------------------------------------------
// The same front end built against an API serving the bilingual fixture site: a post shows the
// language it is in and links to its other versions (its `translations`); following them goes
// from the English post to its German translation (its own slug) and back.
const LOCALES_APP_URL = required("LOCALES_APP_URL").replace(/\/+$/, "");
const LOCALES_API_URL = required("LOCALES_API_URL").replace(/\/+$/, "");

async function languageLinks(page) {
  const nav = page.locator("article.post nav.languages");
  return {
    current: (await nav.locator(".current").innerText()).trim(),
    others: (await nav.locator("a.translation").allInnerTexts()).map((t) => t.trim()),
  };
}

async function languageSwitch(page) {
  const english = await apiGet("/api/posts/hello-world", LOCALES_API_URL);
  const german = await apiGet("/api/posts/hello-world?locale=de", LOCALES_API_URL);
  const swiss = await apiGet("/api/posts/hello-world?locale=de-CH", LOCALES_API_URL);
  await step(page, "language-en", async () => {
    await page.goto(`${LOCALES_APP_URL}/posts/hello-world`);
    await heading(page, english.title);
    assertEqual(await languageLinks(page), { current: "en", others: english.translations.map((t) => t.locale) }, "languages");
  });
  await step(page, "language-switch-to-de", async () => {
    await page.locator('article.post nav.languages a.translation[data-locale="de"]').click();
    await page.waitForURL(`**/posts/${german.slug}?locale=de`);
    await heading(page, german.title);
    assertEqual(await page.locator("article.post").getAttribute("lang"), "de", "the article's lang");
    await seeText(page.locator("article.post .post-body"), german.html.replace(/<[^>]+>/g, "").slice(0, 30), "the German body");
    assertEqual(await languageLinks(page), { current: "de", others: german.translations.map((t) => t.locale) }, "languages");
  });
  await step(page, "language-switch-back-to-en", async () => {
    await page.locator('article.post nav.languages a.translation[data-locale="en"]').click();
    await page.waitForURL(`**/posts/${english.slug}?locale=en`);
    await heading(page, english.title);
  });
  // Swiss German has no version of its own: it shows the German one, at its own URL.
  await step(page, "language-de-CH-falls-back", async () => {
    await page.goto(`${LOCALES_APP_URL}${swiss.url}`);
    await page.waitForURL(`**/posts/${swiss.slug}?locale=de-CH`);
    await heading(page, swiss.title);
    assertEqual((await languageLinks(page)).current, swiss.locale, "the version shown");
  });
}

// --- Editing (issue 24) ------------------------------------------------------------------------
// A post edited in the front end's form, through the editing API: saved as a draft (gone from
// the public API), then published (the page shows the new title and body); a second browser,
// which read the post before, saves over it and is refused with the text as it now is.
const EDITED = {
  slug: "retiring-the-war-room",
  title: "Retired: the War Room",
  addition: "Edited in the browser, through the API.",
  stale: "A title from a stale form",
};

async function openEditor(page) {
  await page.goto(`${APP_URL}/posts/${EDITED.slug}/edit`);
  await settled(page);
  if (await page.locator("#write-token").count()) {
    await page.fill("#write-token", required("WRITE_TOKEN"));
    await page.click(".token-form button[type=submit]");
  }
  await page.locator("#edit-title").waitFor({ timeout: TIMEOUT });
  await settled(page);
}

async function editSteps(page) {
  const before = await apiGet(`/api/posts/${EDITED.slug}`);
  const second = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const other = await second.newPage({ viewport: { width: 1280, height: 900 } });
    other.setDefaultTimeout(TIMEOUT);
    await step(page, "edit-form", async () => {
      await page.goto(`${APP_URL}/posts/${EDITED.slug}`);
      await heading(page, before.title);
      await page.click("a.edit-link");
      await page.locator("#write-token").waitFor({ timeout: TIMEOUT });
      await openEditor(page);
      assertEqual(await page.inputValue("#edit-title"), before.title, "the form's title");
      await seeText(page, "Published.");
    });
    await openEditor(other); // the second browser reads the same version now
    await step(page, "edit-save-draft", async () => {
      await page.fill("#edit-title", EDITED.title);
      const body = await page.inputValue("#edit-body");
      await page.fill("#edit-body", `${body.trimEnd()}\n\n${EDITED.addition}\n`);
      await page.click("#save-draft");
      await seeText(page, "A draft: not on the site. Saved (commit");
      const answer = await fetch(`${API_URL}/api/posts/${EDITED.slug}`);
      assertEqual(answer.status, 404, "a draft is not public");
    });
    await step(page, "edit-publish", async () => {
      await page.click("#publish");
      await page.waitForURL(`${APP_URL}/posts/${EDITED.slug}`, { timeout: TIMEOUT });
      await heading(page, EDITED.title);
      await seeText(page, EDITED.addition);
      assertEqual((await apiGet(`/api/posts/${EDITED.slug}`)).title, EDITED.title, "the API's title");
    });
    await step(other, "edit-stale-refused", async () => {
      await other.fill("#edit-title", EDITED.stale);
      await other.click("#publish");
      const box = other.locator("#edit-conflict");
      await box.waitFor({ state: "visible", timeout: TIMEOUT });
      await seeText(box, "Someone saved this post first");
      await seeText(box, EDITED.title);
      await seeText(box, EDITED.addition);
      assertEqual(await other.inputValue("#edit-title"), EDITED.stale, "the stale form keeps its text");
      assertEqual((await apiGet(`/api/posts/${EDITED.slug}`)).title, EDITED.title, "nothing was overwritten");
    });
  } finally {
    await second.close().catch(() => {});
  }
}

async function main() {
  // A fresh profile: run.sh makes one (and removes it); otherwise a temporary directory.
  const profile = process.env.CHROMIUM_PROFILE || mkdtempSync(join(tmpdir(), "content-api-e2e-chromium-"));
  const problems = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on("pageerror", (error) => problems.push(`uncaught error in the page: ${error.message}`));
    page.on("requestfailed", (request) => {
      if (request.url().startsWith(API_URL)) problems.push(`API request failed: ${request.url()} ${request.failure()?.errorText}`);
    });

    // 1. The index: the newest five posts, page 1 of 3.
    const page1 = await apiGet("/api/posts?page=1&page_size=5");
    const page2 = await apiGet("/api/posts?page=2&page_size=5");
    await step(page, "index", async () => {
      await page.goto(`${APP_URL}/`);
      await heading(page, "Posts");
      await seeText(page, `Page 1 of ${page1.pagination.totalPages}`);
      await seeText(page, `${page1.pagination.totalItems} posts`);
      assertEqual(await cardTitles(page.locator("main")), page1.items.map((p) => p.title), "index page 1 cards");
      if (!(await page.locator("button.prev").isDisabled())) fail("Previous should be disabled on page 1");
    });

    // 2. Next: page 2, which holds the seed post.
    await step(page, "index-page-2", async () => {
      await page.getByRole("button", { name: "Next" }).click();
      await seeText(page, `Page 2 of ${page2.pagination.totalPages}`);
      await page.waitForURL(/\?page=2$/);
      assertEqual(await cardTitles(page.locator("main")), page2.items.map((p) => p.title), "index page 2 cards");
      await seeText(page, SEED.title);
      if (await page.locator("button.prev").isDisabled()) fail("Previous should be enabled on page 2");
    });

    // 3. The seed post: title, author with picture, date, body, recent posts as cards.
    const seed = await apiGet(`/api/posts/${SEED.slug}`);
    const recent = seed.bottomSections.find((s) => s.type === "RecentPostsSection");
    if (!recent || recent.posts.length !== 3) fail("the seed post's RecentPostsSection should carry 3 posts");
    await step(page, "post-seed", async () => {
      await page.getByRole("link", { name: SEED.title }).click();
      await page.waitForURL(`**/posts/${SEED.slug}`);
      await heading(page, SEED.title);
      const byline = page.locator("article.post .byline");
      await seeText(byline, SEED.author);
      await seeText(byline, SEED.date);
      await seeText(page.locator(".post-body"), SEED.firstWords);
      // The author's picture does not exist: its fallback keeps the alt text.
      const avatar = byline.locator('[role="img"], img').first();
      const alt = (await avatar.getAttribute("aria-label")) ?? (await avatar.getAttribute("alt"));
      assertEqual(alt, seed.author.image.altText, "author picture alt text");
      const section = page.locator("section.recent-posts");
      await seeText(section, recent.title ?? recent.subtitle ?? "Recent posts");
      assertEqual(await cardTitles(section), recent.posts.map((p) => p.title), "recent post cards");
      if ((await cardTitles(section)).includes(SEED.title)) fail("the recent posts should not include the post itself");
    });

    // 4. Follow a recent-post card: the first one whose post has a table of contents.
    let target;
    for (const summary of recent.posts) {
      const post = await apiGet(`/api/posts/${summary.slug}`);
      if (post.toc.length > 0) {
        target = post;
        break;
      }
    }
    target ??= await apiGet(`/api/posts/${recent.posts[0].slug}`);
    await step(page, `post-${target.slug}`, async () => {
      await page.locator("section.recent-posts").getByRole("link", { name: target.title }).click();
      await page.waitForURL(`**/posts/${target.slug}`);
      await heading(page, target.title);
      await seeText(page.locator("article.post .byline"), target.author.name);
      if (target.toc.length > 0) {
        const toc = page.locator("nav.toc");
        await seeText(toc, "On this page");
        assertEqual(
          (await toc.locator("li").allInnerTexts()).map((t) => t.trim()),
          target.toc.map((entry) => entry.title),
          "table of contents",
        );
        await seeText(page.locator(".post-body h2, .post-body h3").first(), target.toc[0].title);
      }
    });

    // 5. That post's author: name, role, their posts.
    const author = await apiGet(`/api/authors/${target.author.slug}`);
    const authorPosts = await apiGet(`/api/authors/${target.author.slug}/posts?page_size=100`);
    await step(page, `author-${author.slug}`, async () => {
      await page.locator("article.post .byline a.author-link").click();
      await page.waitForURL(`**/authors/${author.slug}`);
      await heading(page, author.name);
      if (author.role) await seeText(page, author.role);
      const count = authorPosts.pagination.totalItems;
      await seeText(page, `${count} ${count === 1 ? "post" : "posts"} by ${author.firstName}`);
      assertEqual(await cardTitles(page.locator("main")), authorPosts.items.map((p) => p.title), "the author's posts");
    });

    // 6. An unknown slug: the API answers 404 and the front end shows its 404 page.
    await step(page, "not-found", async () => {
      await page.goto(`${APP_URL}/posts/no-such-post`);
      await heading(page, "404 — Page not found");
      await seeText(page, "No post with slug 'no-such-post'");
      await seeText(page, "Back to all posts");
    });

    // An unknown author is a 404 too (no screenshot of its own).
    await page.goto(`${APP_URL}/authors/nobody-here`);
    await heading(page, "404 — Page not found");

    await docsOffline(context);
    await searchSteps(page);
    await liveUpdate(page);
    await editSteps(page);
    await languageSwitch(page);

    if (problems.length) fail(`the browser reported problems:\n  ${problems.join("\n  ")}`);
  } finally {
    await context?.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`e2e: ${stepNumber} steps passed; screenshots:\n  ${shots.join("\n  ")}`);
}

main().catch((error) => {
  console.error(`e2e: FAILED: ${error.message}`);
  process.exit(1);
});
