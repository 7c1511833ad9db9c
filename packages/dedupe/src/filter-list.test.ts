import { describe, expect, it } from "vitest";
import { FilterListError, matchFilterList, parseFilterList } from "./filter-list.js";

describe("filter list", () => {
  const list = parseFilterList("# noise\nexample.com\n=www.Example.ORG.\n~^ads[0-9]+\\.\n\n");
  it("matches names and subdomains case-insensitively", () => {
    expect(matchFilterList(list, "example.com.")).toBe(true);
    expect(matchFilterList(list, "A.B.Example.Com")).toBe(true);
    expect(matchFilterList(list, "notexample.com.")).toBe(false);
  });
  it("matches exact names only for =", () => {
    expect(matchFilterList(list, "www.example.org.")).toBe(true);
    expect(matchFilterList(list, "a.www.example.org.")).toBe(false);
  });
  it("matches regexes on the presentation form", () => {
    expect(matchFilterList(list, "ads12.foo.net.")).toBe(true);
    expect(matchFilterList(list, "xads12.foo.net.")).toBe(false);
  });
  it("rejects a bad regex with its line", () => {
    expect(() => parseFilterList("ok.com\n~(")).toThrow(FilterListError);
  });
});
