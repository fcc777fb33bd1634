// src/utils/content.ts for a Stackbit "content.ts" theme (the Personal theme and its siblings):
// the theme's data from the Content API's /api/stackbit/* instead of its content/ folder.
// Set CONTENT_API_URL (and CONTENT_API_PREVIEW_TOKEN to build with drafts). See README.md.
import { execFileSync } from 'child_process';

// Next.js calls allContent() synchronously: one child process fetches every page's props.
const FETCH = `const [base, token] = process.argv.slice(1);
const get = (p) => fetch(base + p, { headers: token ? { Authorization: 'Bearer ' + token } : {} })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + ' ' + p))));
get('/api/stackbit/paths').then(({ items }) => Promise.all(items.map((p) => get('/api/stackbit/props?path=' + encodeURIComponent(p)))))
    .then((all) => process.stdout.write(JSON.stringify(all)));`;
let content;

export function allContent() {
    const api = [process.env.CONTENT_API_URL || 'http://127.0.0.1:5000', process.env.CONTENT_API_PREVIEW_TOKEN || ''];
    const answers = content || JSON.parse(execFileSync(process.execPath, ['-e', FETCH, ...api], { maxBuffer: 2 ** 31 - 1 }).toString());
    content = answers;
    // Pages come resolved; null-prototype objects are not walked again by the theme's resolvers,
    // which find the posts and projects they list in `objects`, as they are in the answers.
    const pages = answers.map(({ page }) => Object.assign(Object.create(null), page));
    const listed = answers.flatMap(({ page }) => page.items || []).concat(answers.flatMap(({ page }) => [page.prevProject, page.nextProject]));
    const objects = [...new Map(listed.filter(Boolean).map((o) => [o.__metadata.id, o])).values()];
    return { objects, pages, props: { site: answers.length ? answers[0].site : null } };
}
