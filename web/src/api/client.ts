// Fetch wrapper for the Trilith API: JSON in and out, the bearer token, and errors as
// `ApiError` carrying the server's `{"error": {type, message, details}}` body.

import { auth } from "./auth";

export interface ErrorDetail {
  row?: number | null;
  column?: string | null;
  rule?: string | null;
  message?: string;
  path?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly details: ErrorDetail[];
  readonly body: Record<string, unknown>;

  constructor(status: number, type: string, message: string, details: ErrorDetail[], body: Record<string, unknown>) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.details = details;
    this.body = body;
  }
}

export interface ApiResponse<T> {
  status: number;
  data: T;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  query?: Record<string, string | number | undefined | null>;
}

export function withQuery(path: string, query?: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

export function errorFrom(status: number, body: unknown, statusText: string): ApiError {
  const record = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const error = record.error as { type?: string; message?: string; details?: ErrorDetail[] } | undefined;
  if (error && typeof error === "object") {
    return new ApiError(status, error.type ?? "error", error.message ?? statusText, error.details ?? [], record);
  }
  // FastAPI's own answers (unknown route, bad query parameter) use {"detail": ...}.
  const detail = record.detail;
  const message =
    typeof detail === "string"
      ? detail
      : Array.isArray(detail)
        ? detail.map((d: { msg?: string }) => d.msg ?? "").join("; ")
        : statusText || `HTTP ${status}`;
  return new ApiError(status, status === 404 ? "not_found" : "error", message, [], record);
}

/** Headers every API call sends: JSON wanted, and the signed-in token if any. */
export function apiHeaders(): Record<string, string> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = auth.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

/** A response body: its JSON, or the text itself when it is not JSON. */
export function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The error of a refused request (a 401 also asks the user to sign in again). */
export function refusal(status: number, body: unknown, statusText: string): ApiError {
  const error = errorFrom(status, body, statusText);
  if (status === 401) auth.requireSignIn(error.message);
  return error;
}

export function unreachable(): ApiError {
  return new ApiError(0, "network", "The server could not be reached. Check your connection and try again.", [], {});
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = apiHeaders();
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? "GET",
      headers,
      body,
      signal: options.signal,
    });
  } catch (exc) {
    if (exc instanceof DOMException && exc.name === "AbortError") throw exc;
    throw unreachable();
  }
  const data = parseBody(await response.text());
  if (!response.ok) throw refusal(response.status, data, response.statusText);
  return { status: response.status, data: data as T };
}

export async function getJson<T>(path: string, options: Omit<RequestOptions, "method" | "body"> = {}): Promise<T> {
  return (await request<T>(path, options)).data;
}

/** A message for people: what went wrong, without stack traces or internals. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 503) return `The warehouse is unavailable: ${error.message}`;
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
