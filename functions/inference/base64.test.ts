import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { decodeBase64, scanBase64 } from "./base64";

describe("scanBase64", () => {
  it.each([
    ["TWFu", 3],
    ["TWE=", 2],
    ["TQ==", 1],
    ["TWE", 2],
    ["TQ", 1],
    ["+/+/", 3],
    ["-_-_", 3],
    ["TW\r\nFu\n", 3],
    [" TQ== ", 1],
  ])("accepts %j (%i bytes)", (text, bytes) => {
    expect(scanBase64(text)).toEqual({ decodedBytes: bytes });
  });

  it.each([
    "",
    "   ",
    "=",
    "T",
    "TQ=",
    "TQ===",
    "TQ==TQ==",
    "T=Q=",
    "+/-_",
    "TWFu!",
    "TWFu\u00e9",
    "data:,x",
  ])("rejects %j", (text) => {
    expect(scanBase64(text)).toBeUndefined();
  });

  it("agrees with Node's encoder for any bytes, in both alphabets", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        for (const encoding of ["base64", "base64url"] as const) {
          const text = Buffer.from(bytes).toString(encoding);
          expect(scanBase64(text)).toEqual({ decodedBytes: bytes.length });
          expect(decodeBase64(text)).toEqual({ ok: true, bytes: Buffer.from(bytes) });
        }
      }),
      { numRuns: 200 },
    );
  });

  it("decodes non-canonical forms through the scan: line breaks, no padding", () => {
    expect(decodeBase64("TW\nFu")).toEqual({ ok: true, bytes: Buffer.from("Man") });
    expect(decodeBase64("TWE")).toEqual({ ok: true, bytes: Buffer.from("Ma") });
  });

  it("refuses what Node's lenient decoder would accept", () => {
    expect(decodeBase64("TWFu!!")).toEqual({ ok: false, problem: "invalid" });
    expect(decodeBase64("")).toEqual({ ok: false, problem: "invalid" });
  });

  it("checks the cap before decoding", () => {
    expect(decodeBase64("TWFuTWFu", 5)).toEqual({ ok: false, problem: "too-large" });
    expect(decodeBase64("TWFuTWFu", 6)).toEqual({ ok: true, bytes: Buffer.from("ManMan") });
    // Line breaks inflate the length, not the size.
    expect(decodeBase64("TWFu\n\n\n\n\n\nTWFu", 6)).toEqual({ ok: true, bytes: Buffer.from("ManMan") });
  });

  it("handles a 100 KB image's worth of base64", () => {
    const bytes = randomBytes(100 * 1024);
    expect(scanBase64(bytes.toString("base64"))).toEqual({ decodedBytes: bytes.length });
  });
});
