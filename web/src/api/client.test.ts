import { afterEach, describe, expect, it, vi } from "vitest";

import { auth } from "./auth";
import { ApiError, request, withQuery } from "./client";
import { eventsUrl } from "./events";

function respond(status: number, body: unknown) {
  return vi.fn(
    async (_url: string, _init?: RequestInit) => new Response(body === null ? null : JSON.stringify(body), { status }),
  );
}

describe("the API client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    auth.signOut();
  });

  it("sends the token and JSON, and reads JSON back", async () => {
    auth.signIn("secret");
    const fetch = respond(201, { rows: [] });
    vi.stubGlobal("fetch", fetch);
    const response = await request("/api/x", { method: "POST", body: { a: 1 }, query: { limit: 10, sort: null } });
    expect(response).toEqual({ status: 201, data: { rows: [] } });
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("/api/x?limit=10");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer secret");
    expect(init.body).toBe('{"a":1}');
  });

  it("turns the error body into an ApiError with its details", async () => {
    vi.stubGlobal(
      "fetch",
      respond(422, {
        error: {
          type: "validation_failed",
          message: "row 0 …",
          details: [{ row: 0, column: "amount", rule: "min", message: "m" }],
        },
      }),
    );
    const error = (await request("/api/x").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.type).toBe("validation_failed");
    expect(error.details[0]).toMatchObject({ column: "amount", rule: "min" });
  });

  it("keeps the current row of a 409", async () => {
    vi.stubGlobal(
      "fetch",
      respond(409, { error: { type: "conflict", message: "stale" }, current_row: { _row_id: "r", _version: 3 } }),
    );
    const error = (await request("/api/x").catch((e: unknown) => e)) as ApiError;
    expect(error.body.current_row).toEqual({ _row_id: "r", _version: 3 });
  });

  it("asks for a token on 401", async () => {
    vi.stubGlobal(
      "fetch",
      respond(401, { error: { type: "authentication_required", message: "this route needs a token" } }),
    );
    await request("/api/apps").catch(() => undefined);
    expect(auth.get()).toMatchObject({ signInRequired: true, message: "this route needs a token" });
    auth.signIn("t2");
    expect(auth.get().signInRequired).toBe(false);
    expect(sessionStorage.getItem("trilith.token")).toBe("t2");
  });

  it("builds query strings and the event stream URL", () => {
    expect(withQuery("/a", { x: 1, y: undefined, z: "" })).toBe("/a?x=1");
    expect(withQuery("/a?b=2", { x: "a b" })).toBe("/a?b=2&x=a+b");
    expect(eventsUrl(null)).toBe("/api/events");
    expect(eventsUrl("a/b")).toBe("/api/events?access_token=a%2Fb");
  });
});
