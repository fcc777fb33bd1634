// The package's build: src/index.ts -> dist/index.js (plain ES module JavaScript for Node 20 and
// bundlers) and dist/index.d.ts, plus the generated dist/schema.d.ts it refers to (tsc emits no
// copy of a .d.ts input). Runs with `npm run build` and before `npm pack` (the `prepack` script,
// which, unlike `prepare`, runs only here: a `prepare` script would ship in the tarball and
// npm 11 warns about it on every install).
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

rmSync(dist, { recursive: true, force: true });
execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
copyFileSync(join(root, "src/schema.d.ts"), join(dist, "schema.d.ts"));
console.log(`built ${dist}: index.js, index.d.ts, schema.d.ts`);
