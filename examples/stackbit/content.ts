// src/utils/content.ts for a Stackbit "content.ts" theme (the Personal theme and its siblings):
// the theme's data from the Content API's /api/stackbit/* instead of its content/ folder.
// Set CONTENT_API_URL (and CONTENT_API_PREVIEW_TOKEN to build with drafts). See README.md.
// Under `next dev` each call asks the API's content version first: an edit shows on the next load.
import { execFileSync } from 'child_process';

// Next.js calls allContent() synchronously: one child process fetches every page's props.
const FETCH = `const [base, token, known] = process.argv.slice(1), http = require(base.startsWith('https:') ? 'https' : 'http');
const agent = new http.Agent({ keepAlive: true }), headers = token ? { Authorization: 'Bearer ' + token } : {};
const get = (p) => new Promise((ok, fail) => http.get(base + p, { agent, headers }, (r) => {
    let s = ''; r.setEncoding('utf8').on('data', (d) => (s += d)).on('end', () => (r.statusCode === 200 ? ok([JSON.parse(s), r.headers['x-content-version']]) : fail(new Error(r.statusCode + ' ' + p))));
}).on('error', fail));
get('/api/stackbit/paths').then(async ([{ items }, version]) => { const all = []; let next = 0; if (version === known) return agent.destroy();
    await Promise.all([...Array(8)].map(async () => { while (next < items.length) { const i = next++; all[i] = (await get('/api/stackbit/props?path=' + encodeURIComponent(items[i])))[0]; } }));
    process.stdout.write(JSON.stringify({ version, all })); agent.destroy(); });`;
let answers, version;

export function allContent() {
    const api = [process.env.CONTENT_API_URL || 'http://127.0.0.1:5000', process.env.CONTENT_API_PREVIEW_TOKEN || ''];
    if (!answers || process.env.NODE_ENV === 'development') {
        const out = execFileSync(process.execPath, ['-e', FETCH, ...api, answers ? version : ''], { maxBuffer: 2 ** 31 - 1 }).toString();
        if (out) ({ version, all: answers } = JSON.parse(out));
    }
    // Pages come resolved; null-prototype objects are not walked again by the theme's resolvers,
    // which find the posts and projects they list in `objects`, as they are in the answers.
    const pages = answers.map(({ page }) => Object.assign(Object.create(null), page));
    const listed = answers.flatMap(({ page }) => page.items || []).concat(answers.flatMap(({ page }) => [page.prevProject, page.nextProject]));
    const objects = [...new Map(listed.filter(Boolean).map((o) => [o.__metadata.id, o])).values()];
    return { objects, pages, props: { site: answers.length ? answers[0].site : null } };
}
