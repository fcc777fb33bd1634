import { createContentClient } from "@content-api/client";

/** The API's base URL, fixed at build time: `VITE_API_URL=http://127.0.0.1:5000 npm run build`. */
export const API_URL: string = import.meta.env.VITE_API_URL || "http://127.0.0.1:5000";

export const api = createContentClient(API_URL);

/** Posts per page of the index. */
export const PAGE_SIZE = 5;

/** The API answered 404: the router shows the not-found page. */
export class NotFoundError extends Error {}

/** Any other failure: the router shows it as it is. */
export class ApiError extends Error {}

/** Unwrap an openapi-fetch answer: its data, or a NotFoundError / ApiError. */
export function unwrap<T>(
  what: string,
  result: { data?: T; error?: { code: number; status: string; message?: string }; response: Response },
): T {
  if (result.data !== undefined) return result.data;
  const { response, error } = result;
  if (response.status === 404) throw new NotFoundError(error?.message ?? `${what}: not found`);
  throw new ApiError(`${what}: ${response.status} ${error?.message ?? error?.status ?? response.statusText}`);
}
