'use strict';
// sourcebit-source-content-api: a sourcebit source plugin that hands sourcebit the objects
// sourcebit-source-filesystem (0.2) would read from a theme's content folder, from the Content
// API's GET /api/stackbit/objects (served under STACKBIT_COMPAT=sourcebit). The API reads the
// files as that plugin does and matches them to its model; this plugin adds what only the
// theme's build knows (where its sources are: sourcePath, id, relProjectPath) and the merged
// data object, and in watch mode follows GET /api/events to refresh sourcebit on each edit.
const http = require('http');
const https = require('https');
const fs = require('fs');
const path = require('path');

const NAME = 'sourcebit-source-content-api';
const SOURCE = 'sourcebit-source-filesystem'; // the themes' code reads __metadata.source
const DEFAULT_SOURCES = [
    { name: 'pages', path: 'content/pages' },
    { name: 'data', path: 'content/data' }
];
const RECONNECT_MS = 1000;

module.exports.name = NAME;

module.exports.options = {
    url: { env: 'CONTENT_API_URL', default: 'http://127.0.0.1:5000' },
    previewToken: { env: 'CONTENT_API_PREVIEW_TOKEN' },
    watch: { default: false, runtimeParameter: 'watch' },
    sources: { default: [] },
    mergeDataModels: { default: true }
};

function log(message) {
    console.log(`[${NAME}] ${message}`);
}

function request(options, url, headers) {
    const client = url.startsWith('https:') ? https : http;
    const token = options.previewToken;
    return client.get(url, { headers: Object.assign({ Accept: 'application/json' }, token ? { Authorization: `Bearer ${token}` } : {}, headers) });
}

// GET /api/stackbit/objects: {status, etag, objects}; a 304 when `etag` is still current.
function fetchObjects(options, etag) {
    const url = `${String(options.url).replace(/\/+$/, '')}/api/stackbit/objects`;
    return new Promise((resolve, reject) => {
        const req = request(options, url, etag ? { 'If-None-Match': etag } : {});
        req.on('error', (error) => reject(new Error(`${NAME}: GET ${url} failed: ${error.message}`)));
        req.on('response', (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => (body += chunk));
            res.on('end', () => {
                if (res.statusCode === 304) {
                    resolve({ status: 304, etag });
                } else if (res.statusCode === 200) {
                    resolve({ status: 200, etag: res.headers.etag, objects: JSON.parse(body).objects });
                } else {
                    const hint = res.statusCode === 404 ? ' (is the API running with STACKBIT_COMPAT=sourcebit?)' : '';
                    reject(new Error(`${NAME}: GET ${url} answered ${res.statusCode}${hint}: ${body.slice(0, 200)}`));
                }
            });
        });
    });
}

// GET /api/events (following its redirect to EVENTS_PORT, as `make serve` answers): calls
// onChange() when the stream opens and after each `event: content`; reconnects when it ends.
function followEvents(options, onChange) {
    const start = `${String(options.url).replace(/\/+$/, '')}/api/events`;
    let stopped = false;
    let current = null;
    const connect = (url = start, hops = 0) => {
        if (stopped) return;
        current = request(options, url, { Accept: 'text/event-stream' });
        current.on('response', (res) => {
            if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && hops < 5) {
                res.resume();
                connect(new URL(res.headers.location, url).toString(), hops + 1);
                return;
            }
            let buffer = '';
            res.setEncoding('utf8');
            onChange(); // what changed before the stream was open is not replayed: ask once
            res.on('data', (chunk) => {
                buffer += chunk.replace(/\r\n?/g, '\n');
                let end;
                while ((end = buffer.indexOf('\n\n')) !== -1) {
                    const message = buffer.slice(0, end);
                    buffer = buffer.slice(end + 2);
                    if (message.split('\n').some((line) => line === 'event: content' || line === 'event:content')) {
                        onChange();
                    }
                }
            });
            res.on('end', () => setTimeout(() => connect(), RECONNECT_MS));
        });
        current.on('error', () => setTimeout(() => connect(), RECONNECT_MS));
    };
    connect();
    return () => {
        stopped = true;
        if (current) current.destroy();
    };
}

function posix(p) {
    return p.split(path.sep).join(path.posix.sep);
}

// What only the theme's build knows: where each source is (sourcePath), and the paths relative
// to the project it gives (id, relProjectPath); __metadata keys in sourcebit-source-filesystem's order.
function placeObject(object, sourcesByName) {
    const { id, source, sourceName, relSourcePath, relProjectPath, ...model } = object.__metadata;
    const configured = sourcesByName[sourceName];
    const metadata = { id, source: source || SOURCE, sourceName };
    if (configured) {
        const projectPath = posix(path.relative(process.cwd(), path.join(path.resolve(configured.path), relSourcePath)));
        Object.assign(metadata, { id: projectPath, sourceName, sourcePath: posix(configured.path), relSourcePath, relProjectPath: projectPath }, model);
    } else {
        Object.assign(metadata, { relSourcePath, relProjectPath }, model);
    }
    return Object.assign({}, object, { __metadata: metadata });
}

// lodash's _.set, as sourcebit-source-filesystem merges data objects: arrays for index keys.
function setPath(target, keys, value) {
    let node = target;
    keys.forEach((key, index) => {
        if (index === keys.length - 1) {
            node[key] = value;
            return;
        }
        if (node[key] === null || typeof node[key] !== 'object') {
            node[key] = /^(?:0|[1-9]\d*)$/.test(keys[index + 1]) ? [] : {};
        }
        node = node[key];
    });
}

// The `${SOURCE}:data` object: every data object by its path (team/jane.json -> team.jane).
function mergedDataObject(objects) {
    const dataObjects = objects
        .filter((object) => object.__metadata.modelType === 'data')
        .sort((a, b) => (a.__metadata.relSourcePath < b.__metadata.relSourcePath ? -1 : a.__metadata.relSourcePath > b.__metadata.relSourcePath ? 1 : 0));
    return dataObjects.reduce(
        (merged, object) => {
            const parsed = path.parse(object.__metadata.relSourcePath);
            setPath(merged, parsed.dir.split(path.sep).concat(parsed.name).filter(Boolean), object);
            return merged;
        },
        { __metadata: { id: `${SOURCE}:data`, source: SOURCE } }
    );
}

module.exports.bootstrap = async ({ setPluginContext, options, refresh }) => {
    log(`loading content from ${options.url}...`);
    let { etag, objects } = await fetchObjects(options);
    log(`loaded ${objects.length} files`);
    setPluginContext({ objects });
    if (!options.watch) {
        return;
    }
    let busy = false;
    let again = false;
    const update = async () => {
        if (busy) {
            again = true;
            return;
        }
        busy = true;
        try {
            do {
                again = false;
                const answer = await fetchObjects(options, etag);
                if (answer.status === 200) {
                    ({ etag, objects } = answer);
                    log(`content changed, loaded ${objects.length} files`);
                    setPluginContext({ objects });
                    refresh();
                }
            } while (again);
        } catch (error) {
            console.error(`[${NAME}] ${error.message}`);
        } finally {
            busy = false;
        }
    };
    followEvents(options, update);
};

module.exports.transform = ({ data, getPluginContext, options }) => {
    const sources = options.sources && options.sources.length ? options.sources : DEFAULT_SOURCES;
    const sourcesByName = Object.fromEntries(sources.map((source) => [source.name, source]));
    const objects = (getPluginContext().objects || []).map((object) => placeObject(object, sourcesByName));
    if (options.mergeDataModels !== false) {
        objects.push(mergedDataObject(objects));
    }
    return Object.assign({}, data, { objects: data.objects.concat(objects) });
};

module.exports.fetchObjects = fetchObjects;
module.exports.followEvents = followEvents;
