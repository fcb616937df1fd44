/** Recognises the two image formats the model accepts by their leading magic bytes. */
export type ImageContentType = "image/jpeg" | "image/png";

export const SUPPORTED_IMAGE_TYPES: readonly ImageContentType[] = ["image/jpeg", "image/png"];

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The content type the bytes look like, or undefined when they are neither JPEG nor PNG. */
export function sniffImageType(bytes: Uint8Array): ImageContentType | undefined {
  if (startsWith(bytes, PNG_MAGIC)) return "image/png";
  if (startsWith(bytes, JPEG_MAGIC)) return "image/jpeg";
  return undefined;
}

/** Parses a Content-Type header value into a supported image type (parameters and case ignored). */
export function parseImageContentType(header: string | undefined): ImageContentType | undefined {
  const mediaType = header?.split(";")[0]?.trim().toLowerCase();
  if (mediaType === "image/jpg") return "image/jpeg"; // a common misspelling some servers send
  return SUPPORTED_IMAGE_TYPES.find((type) => type === mediaType);
}

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  return magic.every((byte, index) => bytes[index] === byte);
}
