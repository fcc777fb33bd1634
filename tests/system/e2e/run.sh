#!/usr/bin/env bash
# The browser test, end to end (`make test-e2e` runs it from the repository root):
#   1. installs Debian's chromium with apt if /usr/bin/chromium is missing;
#   2. `npm ci` in clients/typescript, examples/frontend and tests/system/e2e;
#   3. `npm run check` for the TypeScript client (stale types, then tsc --noEmit);
#   4. builds the front end with VITE_API_URL pointing at the API's port;
#   5. starts the API on the bundled content/ and `vite preview` on free loopback ports, and a
#      second API on tests/fixtures/bilingual-site with the front end built against it
#      (dist-locales/), for the language switch;
#   6. drives headless chromium through the site (tests/system/e2e/run.mjs), edits a post in it (a
#      draft, then published, and a second browser's stale save refused), switches a post's
#      language, a screenshot per step
#      under tests/system/e2e/screenshots/<timestamp>/ (printed), with the servers' logs beside them;
#   7. packs the TypeScript client (`npm pack`), installs the tarball into a fresh folder and
#      runs a plain-`node` script and a `tsc` check there against the running API.
# Every process it starts is stopped on exit, whatever happens. Exits non-zero on any failure.
#
# API_CMD is the command that serves the API. It runs with `bash -c` in the repository root,
# with API_HOST and API_PORT (also as HOST and PORT) and CONTENT_DIR set; it must listen on
# $API_HOST:$API_PORT. The default is the production server (`make serve`), which reads HOST and
# PORT itself:
#   API_CMD='exec .venv/bin/python -m api.serve'
# Flask's development server works too:
#   API_CMD='.venv/bin/flask --app api run --host "$API_HOST" --port "$API_PORT"'
# CHROMIUM overrides the browser (default /usr/bin/chromium).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
E2E="$ROOT/tests/system/e2e"
CLIENT="$ROOT/clients/typescript"
FRONTEND="$ROOT/examples/frontend"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
API_HOST=127.0.0.1
DEFAULT_API_CMD='exec .venv/bin/python -m api.serve'
API_CMD="${API_CMD:-$DEFAULT_API_CMD}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$E2E/screenshots/$STAMP"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }

# Process groups started here (each with setsid), stopped by cleanup.
GROUPS_STARTED=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pgid
  for pgid in "${GROUPS_STARTED[@]}"; do
    kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  for pgid in "${GROUPS_STARTED[@]}"; do
    for _ in $(seq 50); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    wait "$pgid" 2>/dev/null || true
  done
  # Chromium puts itself in its own process groups; playwright-core stops it when node exits,
  # but if node died hard, stop whatever still runs with this run's profile directory.
  if [ -n "${PROFILE:-}" ]; then
    local proc
    for proc in /proc/[0-9]*; do
      if { tr '\0' ' ' <"$proc/cmdline"; } 2>/dev/null | grep -qF -- "$PROFILE"; then
        kill -KILL "${proc#/proc/}" 2>/dev/null || true
      fi
    done
    rm -rf "$PROFILE"
  fi
  [ "${#GROUPS_STARTED[@]}" -eq 0 ] || say "stopped every process it started (${GROUPS_STARTED[*]})"
  if [ "$status" -eq 0 ]; then
    say "passed in ${SECONDS}s; screenshots in $OUT"
  else
    say "FAILED after ${SECONDS}s (exit $status); screenshots and logs in $OUT"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME DIR COMMAND...: run COMMAND in DIR in a new session (its own process group, so
# that cleanup stops it with all its children), output to $OUT/NAME.log, or to this script's
# output when NAME is "-"; sets STARTED_PID.
start() {
  local name=$1 dir=$2
  shift 2
  if [ "$name" = - ]; then
    (cd "$dir" && exec setsid "$@" </dev/null) &
  else
    (cd "$dir" && exec setsid "$@" >"$OUT/$name.log" 2>&1 </dev/null) &
  fi
  STARTED_PID=$!
  GROUPS_STARTED+=("$STARTED_PID")
}

# wait_for URL PID NAME: poll URL until it answers 200, for at most 60 s.
wait_for() {
  local url=$1 pid=$2 name=$3
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$OUT/$name.log" >&2; die "$name exited before it was ready (log: $OUT/$name.log)"; }
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url"; then
      return 0
    fi
    sleep 0.2
  done
  tail -n 30 "$OUT/$name.log" >&2
  die "$name did not answer 200 at $url within 60 s (log: $OUT/$name.log)"
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

mkdir -p "$OUT"
say "screenshots and logs go to $OUT"
cd "$ROOT"

# 1. Tools.
command -v node >/dev/null || die "node is not installed (Node 20 or newer is needed)"
command -v npm >/dev/null || die "npm is not installed"
if [ ! -x "$CHROMIUM" ]; then
  [ "$CHROMIUM" = /usr/bin/chromium ] || die "CHROMIUM=$CHROMIUM is not an executable"
  say "installing Debian's chromium with apt"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "/usr/bin/chromium is missing and apt-get needs root: apt-get install -y chromium"
    SUDO=sudo
  fi
  $SUDO apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
  [ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is missing"
fi
if [ "$API_CMD" = "$DEFAULT_API_CMD" ] && [ ! -x .venv/bin/python ]; then
  die ".venv/bin/python is missing: run \`make install\` first (or set API_CMD)"
fi

# 2. Packages, exactly as locked. The client first: the front end links to it.
for dir in "$CLIENT" "$FRONTEND" "$E2E"; do
  say "npm ci in ${dir#"$ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
done

# 3. The client: its committed types are current and its usage type-checks.
say "npm run check in clients/typescript"
(cd "$CLIENT" && npm run --silent check) || die "the TypeScript client's check failed (see above)"

# 4 and 5. Ports, build, servers.
API_PORT="$(free_port)"
APP_PORT="$(free_port)"
while [ "$APP_PORT" = "$API_PORT" ]; do APP_PORT="$(free_port)"; done
API_URL="http://$API_HOST:$API_PORT"
APP_URL="http://127.0.0.1:$APP_PORT"

say "building examples/frontend with VITE_API_URL=$API_URL"
(cd "$FRONTEND" && VITE_API_URL="$API_URL" npm run --silent build) >"$OUT/build.log" 2>&1 \
  || { tail -n 40 "$OUT/build.log" >&2; die "the front end did not build (log: $OUT/build.log)"; }

# A copy of the bundled content, which the live-update step edits as an editor would, in a git
# repository of its own (the edit steps write through the API, which commits), and an editor's
# write token (its SHA-256 in the tokens file). Any origin reads; the front end's may write
# (CORS_ORIGINS=*,<its origin>).
CONTENT_COPY="$OUT/content"
cp -r "$ROOT/content" "$CONTENT_COPY"
command -v git >/dev/null || die "git is not installed (apt-get install git)"
git -C "$CONTENT_COPY" init -q -b main
git -C "$CONTENT_COPY" add -A
git -C "$CONTENT_COPY" -c user.name=e2e -c user.email=e2e@example.com commit -q -m "The site"
WRITE_TOKEN="e2e-editor-$(date +%s%N)"
printf '%s e2e@example.com E2E Editor\n' "$(printf %s "$WRITE_TOKEN" | sha256sum | cut -d' ' -f1)" >"$OUT/write-tokens"
EVENTS_PORT="$(free_port)"
while [ "$EVENTS_PORT" = "$API_PORT" ] || [ "$EVENTS_PORT" = "$APP_PORT" ]; do EVENTS_PORT="$(free_port)"; done

say "starting the API: $API_CMD (API_PORT=$API_PORT, EVENTS_PORT=$EVENTS_PORT)"
start api "$ROOT" env API_HOST="$API_HOST" API_PORT="$API_PORT" HOST="$API_HOST" PORT="$API_PORT" \
  EVENTS_PORT="$EVENTS_PORT" CONTENT_DIR="$CONTENT_COPY" PARSE_CACHE_DIR="$OUT/parse-cache" \
  WRITE_TOKENS_FILE="$OUT/write-tokens" CORS_ORIGINS="*,$APP_URL" \
  bash -c "$API_CMD"
API_PID=$STARTED_PID
say "starting vite preview on $APP_URL"
start preview "$FRONTEND" node_modules/.bin/vite preview --host 127.0.0.1 --port "$APP_PORT" --strictPort
PREVIEW_PID=$STARTED_PID
wait_for "$API_URL/healthz" "$API_PID" api
wait_for "$APP_URL/" "$PREVIEW_PID" preview
say "API ready at $API_URL, front end at $APP_URL"

# The language switch: the same front end, built into dist-locales against a second API that
# serves the bilingual fixture site (the front end's API URL is fixed at build time).
LOCALES_API_PORT="$(free_port)"
LOCALES_APP_PORT="$(free_port)"
LOCALES_API_URL="http://$API_HOST:$LOCALES_API_PORT"
LOCALES_APP_URL="http://127.0.0.1:$LOCALES_APP_PORT"
say "building examples/frontend into dist-locales with VITE_API_URL=$LOCALES_API_URL"
(cd "$FRONTEND" && VITE_API_URL="$LOCALES_API_URL" node_modules/.bin/vite build --outDir dist-locales --emptyOutDir) \
  >"$OUT/build-locales.log" 2>&1 \
  || { tail -n 40 "$OUT/build-locales.log" >&2; die "the front end did not build (log: $OUT/build-locales.log)"; }
start api-locales "$ROOT" env API_HOST="$API_HOST" API_PORT="$LOCALES_API_PORT" HOST="$API_HOST" \
  PORT="$LOCALES_API_PORT" CONTENT_DIR="$ROOT/tests/fixtures/bilingual-site" PARSE_CACHE_DIR="$OUT/parse-cache-locales" \
  CONTENT_WATCH=0 bash -c "$API_CMD"
LOCALES_API_PID=$STARTED_PID
start preview-locales "$FRONTEND" node_modules/.bin/vite preview --outDir dist-locales --host 127.0.0.1 \
  --port "$LOCALES_APP_PORT" --strictPort
LOCALES_PREVIEW_PID=$STARTED_PID
wait_for "$LOCALES_API_URL/healthz" "$LOCALES_API_PID" api-locales
wait_for "$LOCALES_APP_URL/" "$LOCALES_PREVIEW_PID" preview-locales
say "bilingual API ready at $LOCALES_API_URL, front end at $LOCALES_APP_URL"

# 7. The TypeScript client as another project gets it: the packed tarball installed into a fresh
#    folder, a ~10-line script run with plain `node` against the API, and `tsc` over a TypeScript
#    file that uses its types (a wrong path must not type-check). The folder stays in $OUT.
packed_client_step() {
  local dir="$OUT/packed-client" tarball expected got
  mkdir -p "$dir"
  say "npm pack in clients/typescript, installed into ${dir#"$ROOT"/}"
  (cd "$CLIENT" && npm pack --pack-destination "$dir") >"$dir/pack.log" 2>&1 \
    || { cat "$dir/pack.log" >&2; die "npm pack failed in clients/typescript"; }
  tarball="$(cd "$dir" && ls -- *.tgz)"
  (
    cd "$dir" \
      && printf '{"name": "a-front-end", "private": true, "type": "module"}\n' >package.json \
      && npm install --no-audit --no-fund --loglevel=error --prefer-offline "./$tarball"
  ) >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "installing $tarball into a fresh folder failed"; }
  cat >"$dir/consumer.mjs" <<'JS'
import { createContentClient } from "@content-api/client";

const api = createContentClient(process.env.API_URL);
const { data: index } = await api.GET("/api");
const { data: posts, error } = await api.GET("/api/posts", { params: { query: { page_size: 2 } } });
if (error) throw new Error(`listPosts: ${error.message}`);
const slug = posts.items[0].slug;
const { data: post } = await api.GET("/api/posts/{slug}", { params: { path: { slug } } });
console.log(`${index.name} ${index.version}: ${posts.pagination.totalItems} posts, newest ${post.title}`);
JS
  expected="$(node -e '
    const get = (p) => fetch(process.argv[1] + p).then((r) => r.json());
    Promise.all([get("/api"), get("/api/posts?page_size=1")]).then(([i, p]) =>
      console.log(`${i.name} ${i.version}: ${p.pagination.totalItems} posts, newest ${p.items[0].title}`));
  ' "$API_URL")"
  got="$(cd "$dir" && API_URL="$API_URL" node consumer.mjs)" || die "the packed client's script failed under plain node"
  [ "$got" = "$expected" ] || die "the packed client's script printed \"$got\", expected \"$expected\""
  say "packed client under plain node: $got"
  cat >"$dir/consumer.ts" <<'TS'
import { createContentClient, type PostSummary, type Section } from "@content-api/client";

const api = createContentClient("http://127.0.0.1:5000");
export async function newest(): Promise<PostSummary | undefined> {
  const { data } = await api.GET("/api/posts/recent", { params: { query: { limit: 1 } } });
  return data?.items[0];
}
export const kinds = (sections: Section[]): string[] => sections.map((section) => section.type);
// @ts-expect-error: a path the API does not have (fails if the types were lost and became any)
void api.GET("/api/no-such-path");
TS
  printf '%s\n' '{"compilerOptions": {"module": "NodeNext", "moduleResolution": "NodeNext",' \
    '"target": "ES2022", "lib": ["ES2022", "DOM"], "strict": true, "noEmit": true, "types": []},' \
    '"files": ["consumer.ts"]}' >"$dir/tsconfig.json"
  (cd "$dir" && "$CLIENT/node_modules/.bin/tsc" -p tsconfig.json) || die "the packed client's declarations do not type-check a consumer (see above)"
  say "packed client's declarations type-check a consumer with tsc (NodeNext)"
  rm -rf "$dir/node_modules"
}

# 6. The browser, with a fresh profile directory.
PROFILE="$(mktemp -d "${TMPDIR:-/tmp}/content-api-e2e-chromium-XXXXXX")"
start - "$E2E" env APP_URL="$APP_URL" API_URL="$API_URL" SCREENSHOT_DIR="$OUT" CHROMIUM="$CHROMIUM" \
  CONTENT_COPY="$CONTENT_COPY" WRITE_TOKEN="$WRITE_TOKEN" \
  LOCALES_APP_URL="$LOCALES_APP_URL" LOCALES_API_URL="$LOCALES_API_URL" \
  CHROMIUM_PROFILE="$PROFILE" node run.mjs
BROWSER_PID=$STARTED_PID
status=0
wait "$BROWSER_PID" || status=$?
[ "$status" -eq 0 ] || die "the browser test failed (exit $status)"

packed_client_step
