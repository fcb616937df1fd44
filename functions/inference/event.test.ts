import { parseInferenceRequest } from "./event";
import { HttpError } from "./http-error";

const limits = { maxImageBytes: 16 };

function rejection(event: unknown): { statusCode: number; message: string } {
  try {
    parseInferenceRequest(event, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return { statusCode: (error as HttpError).statusCode, message: (error as HttpError).message };
  }
  throw new Error("expected a rejection");
}

describe("parseInferenceRequest", () => {
  it("reads a url request", () => {
    const request = parseInferenceRequest(
      { url: "https://images.example.com/dogs/rex.jpg?size=large" },
      limits,
    );
    expect(request).toEqual({
      source: "url",
      url: new URL("https://images.example.com/dogs/rex.jpg?size=large"),
    });
  });

  it.each([
    ["padded standard base64", "/9j/4A==", [0xff, 0xd8, 0xff, 0xe0]],
    ["unpadded base64", "/9j/4A", [0xff, 0xd8, 0xff, 0xe0]],
    ["URL-safe base64", "_9j_4A", [0xff, 0xd8, 0xff, 0xe0]],
    ["base64 with line breaks", "/9j/\r\n4A==\n", [0xff, 0xd8, 0xff, 0xe0]],
  ])("decodes %s", (_name, image, bytes) => {
    expect(parseInferenceRequest({ image }, limits)).toEqual({ source: "image", bytes: Buffer.from(bytes) });
  });

  it("treats a null field as absent", () => {
    expect(parseInferenceRequest({ url: null, image: "/9j/4A==" }, limits).source).toBe("image");
  });

  it("ignores unknown fields", () => {
    expect(parseInferenceRequest({ image: "/9j/4A==", note: "rex" }, limits).source).toBe("image");
  });

  it("checks the decoded size against the limit before decoding", () => {
    expect(rejection({ image: "A".repeat(24) })).toEqual({
      statusCode: 413,
      message: "image must be at most 16 bytes",
    });
    expect(parseInferenceRequest({ image: "A".repeat(20) + "AA==" }, limits)).toMatchObject({
      source: "image",
    });
  });

  it.each([
    ["mixed alphabets", "ab+_", "image must be base64"],
    ["padding in the middle", "ab==cd==", "image must be base64"],
    ["one dangling character", "abcde", "image must be base64"],
    ["padding only", "====", "image must be base64"],
    ["a data URL", "data:image/png;base64,iVBORw0KGgo=", "image must be base64"],
    ["whitespace only", " \n ", "image must not be empty"],
  ])("rejects %s", (_name, image, message) => {
    expect(rejection({ image })).toEqual({ statusCode: 400, message });
  });

  it("reads a wrapped event whose body is not base64-encoded even if it looks like base64", () => {
    const body = JSON.stringify({ image: "/9j/4A==" });
    expect(parseInferenceRequest({ body, isBase64Encoded: false }, limits).source).toBe("image");
  });

  it("rejects an isBase64Encoded that is not a boolean", () => {
    expect(rejection({ body: "{}", isBase64Encoded: "yes" })).toEqual({
      statusCode: 400,
      message: "isBase64Encoded must be a boolean",
    });
  });
});
