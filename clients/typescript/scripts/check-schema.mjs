// The staleness test: regenerate the types from ../../openapi/openapi.json into a temporary
// file and fail when they differ from the committed src/schema.d.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const spec = resolve(root, "../../openapi/openapi.json");
const committed = join(root, "src/schema.d.ts");
const dir = mkdtempSync(join(tmpdir(), "content-api-client-"));
const fresh = join(dir, "schema.d.ts");
const bin = join(root, "node_modules/.bin/openapi-typescript");

try {
  execFileSync(bin, [spec, "--output", fresh], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const want = readFileSync(fresh, "utf8");
  let have = "";
  try {
    have = readFileSync(committed, "utf8");
  } catch {
    have = "";
  }
  if (want !== have) {
    const a = have.split("\n");
    const b = want.split("\n");
    let line = 0;
    while (line < a.length && line < b.length && a[line] === b[line]) line++;
    console.error(
      `clients/typescript/src/schema.d.ts is stale: it differs from what openapi-typescript ` +
        `generates from openapi/openapi.json (first difference at line ${line + 1}:\n` +
        `  committed: ${JSON.stringify(a[line] ?? "<end of file>")}\n` +
        `  generated: ${JSON.stringify(b[line] ?? "<end of file>")}).\n` +
        `Run \`npm run generate\` in clients/typescript and commit src/schema.d.ts.`,
    );
    process.exit(1);
  }
  console.log("src/schema.d.ts is up to date with openapi/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
