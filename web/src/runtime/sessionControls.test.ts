import { beforeEach, describe, expect, it } from "vitest";

import { loadSessionControls, saveSessionControls } from "./sessionControls";

describe("control values per session", () => {
  beforeEach(() => window.sessionStorage.clear());

  it("start from the published values, then keep the user's", () => {
    const published = { region: "North", year: 2024 };
    expect(loadSessionControls("sales", published)).toEqual(published);
    saveSessionControls("sales", { region: "East", year: 2024 });
    expect(loadSessionControls("sales", published)).toEqual({ region: "East", year: 2024 });
    expect(loadSessionControls("other", published)).toEqual(published);
  });

  it("drop controls the app no longer has and survive bad storage", () => {
    saveSessionControls("sales", { region: "East", gone: 1 });
    expect(loadSessionControls("sales", { region: "North" })).toEqual({ region: "East" });
    window.sessionStorage.setItem("trilith.controls.sales", "{not json");
    expect(loadSessionControls("sales", { region: "North" })).toEqual({ region: "North" });
  });
});
