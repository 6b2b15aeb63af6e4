import { describe, expect, it } from "vitest";

import { renderMarkdown } from "./markdown";

describe("markdown of text elements", () => {
  it("renders markdown", () => {
    const html = renderMarkdown("# Deal desk\nPipeline for **North**");
    expect(html).toContain("<h1>Deal desk</h1>");
    expect(html).toContain("<strong>North</strong>");
  });

  it("shows raw HTML as text instead of running it", () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
    const block = renderMarkdown('<div onclick="steal()">click</div>');
    expect(block).not.toContain("<div");
    expect(block).toMatch(/&(lt|#60);div/);
  });

  it("removes script URLs from links and images", () => {
    const html = renderMarkdown("[x](javascript:alert(1)) ![y](javascript:alert(2)) [ok](https://example.com)");
    expect(html).not.toMatch(/javascript:/i);
    expect(html).toContain('href="https://example.com"');
    expect(html).toContain('rel="noopener noreferrer"');
    expect(html).toContain('target="_blank"');
  });

  it("drops protocol-relative and data URLs", () => {
    const html = renderMarkdown("[a](//evil.example) [b](data:text/html,hi)");
    expect(html).not.toContain("evil.example");
    expect(html).not.toContain("data:");
  });
});
