// Types of sourcebit-source-content-api (index.js): a sourcebit source plugin.

/** One source as sourcebit-source-filesystem's `sources` option names it. */
export interface Source {
    /** `pages` or `data`: which of the API's folders it is. */
    name: string;
    /** Where the theme keeps it (absolute or relative to the working directory). */
    path: string;
}

/** The plugin's options in sourcebit.js. */
export interface Options {
    /** The API's base URL (default: `CONTENT_API_URL`, else http://127.0.0.1:5000). */
    url?: string;
    /** The API's PREVIEW_TOKEN: drafts included (default: `CONTENT_API_PREVIEW_TOKEN`). */
    previewToken?: string;
    /** Follow /api/events and refresh sourcebit after each edit (`next dev`). */
    watch?: boolean;
    /** The filesystem plugin's `sources`, kept as they were (default: content/pages, content/data). */
    sources?: Source[];
    /** Add the merged `sourcebit-source-filesystem:data` object, as that plugin does (default true). */
    mergeDataModels?: boolean;
}

/** `__metadata` of a file's object, as sourcebit-source-filesystem records it (less `modelLabel`). */
export interface Metadata {
    id: string;
    source: 'sourcebit-source-filesystem';
    sourceName: string;
    sourcePath?: string;
    relSourcePath: string;
    relProjectPath: string;
    modelType?: 'page' | 'data';
    modelName?: string;
    urlPath?: string;
}

/** A page (`{__metadata, frontmatter, markdown}`) or a data file (`{__metadata, ...its JSON}`). */
export interface SourceObject {
    __metadata: Metadata;
    [field: string]: unknown;
}

export interface FetchResult {
    status: 200 | 304;
    etag?: string;
    objects?: SourceObject[];
}

export const name: 'sourcebit-source-content-api';
export const options: Record<keyof Options, { default?: unknown; env?: string; runtimeParameter?: string }>;
export function bootstrap(args: {
    options: Options;
    setPluginContext: (context: { objects: SourceObject[] }) => void;
    refresh: () => void;
}): Promise<void>;
export function transform(args: {
    data: { objects: unknown[]; [key: string]: unknown };
    getPluginContext: () => { objects?: SourceObject[] };
    options: Options;
}): { objects: unknown[]; [key: string]: unknown };
/** GET /api/stackbit/objects, with If-None-Match when `etag` is given. */
export function fetchObjects(options: Options, etag?: string): Promise<FetchResult>;
/** Calls `onChange` after each `event: content` of /api/events; returns a function that stops. */
export function followEvents(options: Options, onChange: () => void): () => void;
