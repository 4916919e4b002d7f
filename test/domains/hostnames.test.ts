import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { hostOf, isProductHost, normalizeDomain } from "../../src/domains/hostnames";
import type { Env } from "../../src/env";

describe("hostOf (the Host header)", () => {
  it.each([
    ["Brand.Example.COM", "brand.example.com"],
    ["brand.example.com:8443", "brand.example.com"],
    ["brand.example.com.", "brand.example.com"],
    ["10.0.0.1:80", null],
    ["[::1]:8787", null],
    ["", null],
    [undefined, null],
  ])("%j → %j", (header, host) => {
    expect(hostOf(header)).toBe(host);
  });
});

describe("product hosts are configuration", () => {
  const prod: Env = {
    ...env,
    APP_URL: "https://app.anyreach.example",
    PRODUCT_HOSTS: "anyreach.example,*.workers.dev",
  };

  it("APP_URL's host, PRODUCT_HOSTS and their subdomains are the product", () => {
    for (const h of ["app.anyreach.example", "x.app.anyreach.example", "anyreach.example", "www.anyreach.example"]) {
      expect(isProductHost(prod, h)).toBe(true);
    }
    expect(isProductHost(prod, "anyreach.example.evil.com")).toBe(false);
    expect(isProductHost(prod, "notanyreach.example")).toBe(false);
    expect(isProductHost(prod, "localhost")).toBe(false);
  });

  it("refuses them as custom domains, accepts look-alikes", () => {
    expect(() => normalizeDomain(prod, "www.anyreach.example")).toThrow(/product's own hosts/);
    expect(normalizeDomain(prod, "anyreach.example.evil.com")).toBe("anyreach.example.evil.com");
  });
});
