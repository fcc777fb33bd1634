// node --test: the signature check and the handler, with real Request objects.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { handleContentWebhook } from "../lib/handler.mjs";
import { verifySignature } from "../lib/signature.mjs";

const SECRET = "a-shared-secret";
const BODY = JSON.stringify({
  contentVersion: "v2",
  previousVersion: "v1",
  changed: { paths: ["/blog/a", "/blog"], keys: ["post-a", "posts"] },
});
const sign = (body, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

test("a body signed with the secret is accepted", () => {
  assert.equal(verifySignature(BODY, sign(BODY), SECRET), true);
  assert.equal(verifySignature(Buffer.from(BODY), sign(BODY), SECRET), true);
});

test("a changed body, another secret or a malformed header is refused", () => {
  assert.equal(verifySignature(`${BODY} `, sign(BODY), SECRET), false);
  assert.equal(verifySignature(BODY, sign(BODY, "another"), SECRET), false);
  for (const header of [null, undefined, "", "sha256=", "sha1=abc", sign(BODY).slice(0, -2),
    sign(BODY).toUpperCase(), `${sign(BODY)}00`]) {
    assert.equal(verifySignature(BODY, header, SECRET), false, String(header));
  }
  assert.equal(verifySignature(BODY, sign(BODY, ""), ""), false);
});

test("a webhook signed by the content API itself is accepted", () => {
  // Written by the API's own signer; the project's tests check it still signs exactly so.
  const { secret, body, signature } = JSON.parse(
    readFileSync(new URL("./signed-by-the-api.json", import.meta.url), "utf8"),
  );
  assert.equal(verifySignature(body, signature, secret), true);
  assert.equal(verifySignature(body.replace("/blog", "/blag"), signature, secret), false);
});

function post(body, signature) {
  return new Request("http://front.example/api/content-webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "x-content-signature": signature },
    body,
  });
}

test("the handler revalidates every changed path of a signed change", async () => {
  const revalidated = [];
  const response = await handleContentWebhook(post(BODY, sign(BODY)), {
    secret: SECRET, verify: verifySignature, revalidatePath: (path) => revalidated.push(path),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(revalidated, ["/blog/a", "/blog"]);
  assert.deepEqual(await response.json(), { contentVersion: "v2", revalidated: ["/blog/a", "/blog"] });
});

test("the handler revalidates nothing for a forged change", async () => {
  const revalidated = [];
  const response = await handleContentWebhook(post(BODY, sign(BODY, "guess")), {
    secret: SECRET, verify: verifySignature, revalidatePath: (path) => revalidated.push(path),
  });
  assert.equal(response.status, 401);
  assert.deepEqual(revalidated, []);
});

test("the handler refuses to run without a secret", async () => {
  const response = await handleContentWebhook(post(BODY, sign(BODY, "")), {
    secret: undefined, verify: verifySignature, revalidatePath: () => assert.fail("revalidated"),
  });
  assert.equal(response.status, 500);
});
