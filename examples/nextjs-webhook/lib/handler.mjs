// The webhook's logic, free of Next.js so that it can be tested with node's own test runner:
// verify the signature, then revalidate every changed page path.

/**
 * @typedef {{ contentVersion: string, previousVersion: string,
 *             changed: { paths: string[], keys: string[] } }} ContentChange
 * @param {Request} request
 * @param {{ secret: string | undefined, revalidatePath: (path: string) => void,
 *           verify: (body: string, header: string | null, secret: string) => boolean }} deps
 * @returns {Promise<Response>}
 */
export async function handleContentWebhook(request, { secret, revalidatePath, verify }) {
  if (!secret) {
    return Response.json({ error: "CONTENT_WEBHOOK_SECRET is not set" }, { status: 500 });
  }
  const body = await request.text();
  if (!verify(body, request.headers.get("x-content-signature"), secret)) {
    return Response.json({ error: "invalid signature" }, { status: 401 });
  }
  /** @type {ContentChange} */
  let change;
  try {
    change = JSON.parse(body);
  } catch {
    return Response.json({ error: "body is not JSON" }, { status: 400 });
  }
  const paths = change?.changed?.paths;
  if (!Array.isArray(paths)) {
    return Response.json({ error: "no changed.paths" }, { status: 400 });
  }
  const revalidated = paths.filter((path) => typeof path === "string" && path.startsWith("/"));
  for (const path of revalidated) {
    revalidatePath(path);
  }
  return Response.json({ contentVersion: change.contentVersion, revalidated });
}
