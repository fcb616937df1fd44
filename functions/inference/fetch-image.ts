/**
 * The guarded image fetcher. The endpoint's model runs with network isolation, so the function
 * downloads images itself, and must not become a way into private networks (SSRF):
 * - https only, also after redirects (at most MAX_REDIRECTS, each one re-checked);
 * - every address a host resolves to must pass the address policy (public addresses only),
 *   and the check runs inside the `lookup` that the socket itself uses, so the connection goes
 *   to exactly the address that was checked (no DNS-rebinding window); IP-literal hosts, which
 *   skip `lookup`, are checked before connecting;
 * - the body is capped (Content-Length checked up front, the stream aborted past the cap);
 * - one time budget covers all hops;
 * - the answer must be image/jpeg or image/png, and its bytes must match that type.
 */
import { promises as dns } from "node:dns";
import type { LookupAddress, LookupOptions } from "node:dns";
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { isIP } from "node:net";
import { classifyAddress, publicAddressesOnly } from "./address-guard";
import type { AddressClassification, AddressPolicy } from "./address-guard";
import { parseImageContentType, sniffImageType } from "./image-type";
import type { ImageContentType } from "./image-type";

export const MAX_REDIRECTS = 3;

export type ImageFetchFailure =
  | "forbidden-address"
  | "redirect-refused"
  | "too-many-redirects"
  | "too-large"
  | "unsupported-type"
  | "content-mismatch"
  | "http-status"
  | "unreachable"
  | "timeout";

/** A fetch refused or failed; `message` is safe to show to the caller. */
export class ImageFetchError extends Error {
  override readonly name = "ImageFetchError";

  constructor(
    readonly failure: ImageFetchFailure,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface ImageFetchLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export interface FetchedImage {
  readonly bytes: Buffer;
  readonly contentType: ImageContentType;
  readonly finalUrl: string;
  readonly redirects: number;
}

/** Resolves a host name to every address it has (the default uses the system resolver). */
export type HostResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

/**
 * How the fetcher reaches the network. Production code passes nothing and gets the safe
 * defaults. Tests inject a policy that also admits their loopback server, the CA of that
 * server's self-signed certificate, and a resolver that never leaves the machine. These are
 * constructor arguments on purpose: no environment variable can loosen the guard in production.
 */
export interface ImageFetcherOptions {
  readonly addressPolicy?: AddressPolicy;
  readonly trustedCa?: string | Buffer;
  readonly resolve?: HostResolver;
}

export type ImageFetcher = (url: URL, limits: ImageFetchLimits) => Promise<FetchedImage>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function createImageFetcher(options: ImageFetcherOptions = {}): ImageFetcher {
  const isAllowed = options.addressPolicy ?? publicAddressesOnly;
  const resolve = options.resolve ?? systemResolver;

  return async function fetchImage(url, limits) {
    const deadline = Date.now() + limits.timeoutMs;
    let current = url;
    for (let redirects = 0; ; redirects += 1) {
      const hop = await fetchOnce(current, limits.maxBytes, deadline, isAllowed, resolve, options.trustedCa);
      if (hop.kind === "image") {
        return { ...hop, finalUrl: current.href, redirects };
      }
      if (redirects === MAX_REDIRECTS) {
        throw new ImageFetchError("too-many-redirects", `url redirected more than ${MAX_REDIRECTS} times`);
      }
      current = nextLocation(current, hop.location);
    }
  };
}

type Hop =
  { kind: "image"; bytes: Buffer; contentType: ImageContentType } | { kind: "redirect"; location: string };

function fetchOnce(
  url: URL,
  maxBytes: number,
  deadline: number,
  isAllowed: AddressPolicy,
  resolve: HostResolver,
  trustedCa: string | Buffer | undefined,
): Promise<Hop> {
  return new Promise<Hop>((settle, fail) => {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (isIP(hostname)) {
      const refusal = refuse([classifyAddress(hostname)], isAllowed);
      if (refusal) return fail(refusal);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return fail(timeoutError());

    const req = request({
      protocol: "https:",
      hostname,
      port: url.port === "" ? 443 : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: "GET",
      headers: {
        accept: "image/jpeg, image/png",
        "accept-encoding": "identity",
        "user-agent": "ml-platform-inference",
      },
      agent: false,
      lookup: guardedLookup(resolve, isAllowed),
      ...(trustedCa === undefined ? {} : { ca: trustedCa }),
    });
    // The first outcome wins; whatever the torn-down connection reports afterwards is ignored.
    let concluded = false;
    const conclude = (outcome: Hop | ImageFetchError): void => {
      if (concluded) return;
      concluded = true;
      clearTimeout(timer);
      req.destroy();
      if (outcome instanceof ImageFetchError) fail(outcome);
      else settle(outcome);
    };
    const timer = setTimeout(() => conclude(timeoutError()), remaining);

    req.on("error", (error) => conclude(asFetchError(error)));
    req.on("response", (res) => {
      res.on("error", (error) => conclude(asFetchError(error)));
      const status = res.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status) && res.headers.location) {
        return conclude({ kind: "redirect", location: res.headers.location });
      }
      const problem = checkHeaders(res, maxBytes);
      if (problem) return conclude(problem);
      const contentType = parseImageContentType(res.headers["content-type"])!;
      const chunks: Buffer[] = [];
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) return conclude(tooLarge(maxBytes));
        chunks.push(chunk);
      });
      res.on("end", () => {
        const bytes = Buffer.concat(chunks, received);
        if (sniffImageType(bytes) !== contentType) {
          return conclude(
            new ImageFetchError("content-mismatch", `url content is not a valid ${contentType} image`),
          );
        }
        conclude({ kind: "image", bytes, contentType });
      });
    });
    req.end();
  });
}

function checkHeaders(res: IncomingMessage, maxBytes: number): ImageFetchError | undefined {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    return new ImageFetchError("http-status", `url answered HTTP ${status}`, { status });
  }
  if (!parseImageContentType(res.headers["content-type"])) {
    return new ImageFetchError("unsupported-type", "url must serve image/jpeg or image/png", {
      contentType: res.headers["content-type"],
    });
  }
  const declared = Number(res.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(maxBytes);
  return undefined;
}

/** A `lookup` for https.request that only ever hands the socket addresses the policy allows. */
function guardedLookup(resolve: HostResolver, isAllowed: AddressPolicy) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ): void => {
    resolve(hostname).then(
      (found) => {
        const addresses = found.filter(
          (entry) =>
            !options.family || options.family === entry.family || options.family === `IPv${entry.family}`,
        );
        if (addresses.length === 0) {
          return callback(unresolvable(hostname), "");
        }
        // One bad address taints the whole answer: a mixed answer is a rebinding attempt or a misconfiguration.
        const refusal = refuse(
          addresses.map((entry) => classifyAddress(entry.address)),
          isAllowed,
        );
        if (refusal) return callback(refusal, "");
        if (options.all) return callback(null, [...addresses]);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };
}

function refuse(
  addresses: readonly AddressClassification[],
  isAllowed: AddressPolicy,
): ImageFetchError | undefined {
  const forbidden = addresses.find((address) => !isAllowed(address));
  if (!forbidden) return undefined;
  return new ImageFetchError("forbidden-address", "url must point to a public internet address", {
    address: forbidden.address,
    kind: forbidden.kind,
  });
}

function nextLocation(current: URL, location: string): URL {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    throw new ImageFetchError("redirect-refused", "url redirected to an invalid location");
  }
  if (next.protocol !== "https:") {
    throw new ImageFetchError("redirect-refused", "url redirected to a non-https URL", {
      location: next.href,
    });
  }
  if (next.username !== "" || next.password !== "") {
    throw new ImageFetchError("redirect-refused", "url redirected to a URL with credentials");
  }
  return next;
}

async function systemResolver(hostname: string): Promise<readonly LookupAddress[]> {
  return dns.lookup(hostname, { all: true, verbatim: true });
}

function asFetchError(error: unknown): ImageFetchError {
  if (error instanceof ImageFetchError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ENODATA") {
    return new ImageFetchError("unreachable", "url host could not be resolved", { code });
  }
  const message = (error as Error).message;
  return new ImageFetchError("unreachable", "url could not be fetched", { code, message });
}

function unresolvable(hostname: string): ImageFetchError {
  return new ImageFetchError("unreachable", "url host could not be resolved", { hostname });
}

function tooLarge(maxBytes: number): ImageFetchError {
  return new ImageFetchError("too-large", `image must be at most ${maxBytes} bytes`);
}

function timeoutError(): ImageFetchError {
  return new ImageFetchError("timeout", "timed out fetching the image");
}
