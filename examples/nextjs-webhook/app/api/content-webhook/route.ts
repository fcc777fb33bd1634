// POST /api/content-webhook: the content API's webhook (WEBHOOK_URLS) for a Next.js App Router
// site. It arrives once per API replica, after that replica's caches were purged, so the pages
// revalidated here are rebuilt from fresh answers. Set CONTENT_WEBHOOK_SECRET to the API's
// WEBHOOK_SECRET.
import { revalidatePath } from "next/cache";

import { handleContentWebhook } from "../../../lib/handler.mjs";
import { verifySignature } from "../../../lib/signature.mjs";

export const runtime = "nodejs"; // node:crypto
export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  return handleContentWebhook(request, {
    secret: process.env.CONTENT_WEBHOOK_SECRET,
    revalidatePath: (path: string) => revalidatePath(path),
    verify: verifySignature,
  });
}
