// Checks the X-Content-Signature header the content API sends with each webhook:
// "sha256=" + the hex HMAC-SHA256 of the raw request body, keyed with WEBHOOK_SECRET.
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "sha256=";

/**
 * Whether `header` is the signature of `body` (the raw bytes or text, before any JSON parsing)
 * with `secret`. Compared in constant time; anything malformed is simply false.
 * @param {string | Uint8Array} body
 * @param {string | null | undefined} header
 * @param {string} secret
 * @returns {boolean}
 */
export function verifySignature(body, header, secret) {
  if (typeof header !== "string" || !header.startsWith(PREFIX) || !secret) {
    return false;
  }
  const given = header.slice(PREFIX.length);
  if (!/^[0-9a-f]{64}$/.test(given)) {
    return false;
  }
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}
