/**
 * Strict base64 decoding. Node's decoder is lenient (it skips characters it does not know), so
 * the text is validated too: the standard or the URL-safe alphabet (not both at once), optional
 * padding, ASCII whitespace anywhere (`base64` wraps lines). The handler sees ~140 KB strings,
 * where a regular expression costs milliseconds, so canonical text is confirmed natively
 * (decode, re-encode, compare) and only other text goes through a one-pass scan.
 */
const INVALID = 0;
const COMMON = 1; // A-Z a-z 0-9
const STANDARD = 2; // + /
const URL_SAFE = 3; // - _
const PADDING = 4; // =
const SPACE = 5; // space, tab, CR, LF

const CLASSES = new Uint8Array(128);
for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
  CLASSES[char.charCodeAt(0)] = COMMON;
for (const char of "+/") CLASSES[char.charCodeAt(0)] = STANDARD;
for (const char of "-_") CLASSES[char.charCodeAt(0)] = URL_SAFE;
CLASSES["=".charCodeAt(0)] = PADDING;
for (const char of " \t\r\n") CLASSES[char.charCodeAt(0)] = SPACE;

export interface Base64Scan {
  /** Number of bytes the text decodes to. */
  readonly decodedBytes: number;
}

/** Checks `text` is base64; returns the decoded size, or undefined if it is not base64 or empty. */
export function scanBase64(text: string): Base64Scan | undefined {
  let symbols = 0;
  let padding = 0;
  let sawStandard = false;
  let sawUrlSafe = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const kind = code < 128 ? CLASSES[code] : INVALID;
    if (kind === SPACE) continue;
    if (kind === PADDING) {
      padding += 1;
      continue;
    }
    if (kind === INVALID || padding > 0) return undefined; // nothing but whitespace may follow padding
    if (kind === STANDARD) sawStandard = true;
    else if (kind === URL_SAFE) sawUrlSafe = true;
    symbols += 1;
  }
  if (symbols === 0 || padding > 2 || (sawStandard && sawUrlSafe)) return undefined;
  const remainder = symbols % 4;
  if (remainder === 1) return undefined;
  if (padding > 0 && (symbols + padding) % 4 !== 0) return undefined;
  return { decodedBytes: Math.floor((symbols * 3) / 4) };
}

export type Base64Decoding =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly problem: "invalid" | "too-large" };

/** Decodes strict base64 of at most `maxBytes` bytes, never allocating more than that. */
export function decodeBase64(text: string, maxBytes = Number.MAX_SAFE_INTEGER): Base64Decoding {
  // The length bounds the decoded size; only when it might exceed the cap is an exact count needed first.
  if (Math.floor((text.length * 3) / 4) > maxBytes) {
    const scan = scanBase64(text);
    if (!scan) return { ok: false, problem: "invalid" };
    if (scan.decodedBytes > maxBytes) return { ok: false, problem: "too-large" };
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.length > 0 && (bytes.toString("base64") === text || bytes.toString("base64url") === text)) {
    return { ok: true, bytes };
  }
  return scanBase64(text) ? { ok: true, bytes } : { ok: false, problem: "invalid" };
}
