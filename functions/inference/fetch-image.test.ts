import type { AddressPolicy } from "./address-guard";
import { createImageFetcher, ImageFetchError, MAX_REDIRECTS } from "./fetch-image";
import type { ImageFetcher } from "./fetch-image";
import { startHttpsImageServer } from "../../test/support/https-image-server";
import type { HttpsImageServer } from "../../test/support/https-image-server";
import { loopbackResolver } from "../../test/support/loopback-resolver";
import { jpegLike, solidPng } from "../../test/support/sample-images";

// Public addresses, plus the loopback test server: the only loosening tests make.
const publicOrTestServer: AddressPolicy = (address) =>
  address.kind === "public" || address.address === "127.0.0.1";
const limits = { maxBytes: 64 * 1024, timeoutMs: 2_000 };

describe("guarded image fetcher", () => {
  let images: HttpsImageServer;
  const png = solidPng(4, 4);
  const jpeg = jpegLike(10_000);

  beforeAll(async () => {
    images = await startHttpsImageServer({
      "/dog.png": { kind: "file", contentType: "image/png", body: png },
      "/dog.jpg": { kind: "file", contentType: "image/jpeg; charset=binary", body: jpeg },
      "/page.html": { kind: "file", contentType: "text/html", body: Buffer.from("<html></html>") },
      "/lying.png": { kind: "file", contentType: "image/png", body: jpeg },
      "/missing.png": { kind: "file", status: 404, contentType: "image/png", body: png },
      "/huge-declared.jpg": {
        kind: "file",
        contentType: "image/jpeg",
        body: jpeg,
        contentLength: limits.maxBytes + 1,
      },
      "/huge-streamed.jpg": {
        kind: "stream",
        contentType: "image/jpeg",
        chunk: jpegLike(16 * 1024),
        chunks: 64,
      },
      "/hang.jpg": { kind: "hang" },
      "/stall.jpg": { kind: "stall", contentType: "image/jpeg" },
      "/to-http": { kind: "redirect", location: "http://images.test/dog.png" },
      "/to-metadata-ip": { kind: "redirect", location: "https://169.254.169.254/latest/meta-data/" },
      "/to-metadata-name": { kind: "redirect", location: "https://metadata.test/latest/meta-data/" },
      "/to-ipv6-loopback": { kind: "redirect", location: "https://[::1]/dog.png" },
    });
    // A chain of redirects: /hop/3 -> /hop/2 -> /hop/1 -> /hop/0 -> /dog.png
    for (let n = 0; n <= MAX_REDIRECTS + 1; n += 1) {
      images.route(`/hop/${n}`, { kind: "redirect", location: n === 0 ? "/dog.png" : `/hop/${n - 1}` });
    }
  });
  afterAll(() => images.close());

  function fetcher(policy: AddressPolicy = publicOrTestServer, resolver = loopbackResolver()): ImageFetcher {
    return createImageFetcher({ addressPolicy: policy, trustedCa: images.ca, resolve: resolver });
  }

  async function failure(
    fetchImage: ImageFetcher,
    url: string,
    fetchLimits = limits,
  ): Promise<ImageFetchError> {
    const error = await fetchImage(new URL(url), fetchLimits).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImageFetchError);
    return error as ImageFetchError;
  }

  it("downloads a PNG over TLS, connecting to the address its own lookup checked", async () => {
    const resolver = loopbackResolver();
    const image = await fetcher(publicOrTestServer, resolver)(new URL(images.url("/dog.png")), limits);
    expect(image.contentType).toBe("image/png");
    expect(image.bytes.equals(png)).toBe(true);
    expect(image.redirects).toBe(0);
    // images.test exists only in the injected resolver, so reaching the server proves the
    // socket used the guarded lookup's answer.
    expect(resolver.lookups).toEqual(["images.test"]);
  });

  it("checks an IP-literal host before connecting (the socket skips lookup for literals)", async () => {
    const resolver = loopbackResolver();
    const image = await fetcher(publicOrTestServer, resolver)(
      new URL(`https://127.0.0.1:${images.port}/dog.png`),
      limits,
    );
    expect(image.bytes.equals(png)).toBe(true);
    expect(resolver.lookups).toEqual([]);
  });

  it("resolves once per connection, so a rebinding answer cannot swap the checked address", async () => {
    let calls = 0;
    const rebinding = async (hostname: string) => {
      calls += 1;
      const address = calls === 1 ? "127.0.0.1" : "10.0.0.7";
      expect(hostname).toBe("images.test");
      return [{ address, family: 4 }];
    };
    const fetchImage = createImageFetcher({
      addressPolicy: publicOrTestServer,
      trustedCa: images.ca,
      resolve: rebinding,
    });
    const image = await fetchImage(new URL(images.url("/dog.png")), limits);
    expect(image.bytes.equals(png)).toBe(true);
    expect(calls).toBe(1);
  });

  it("downloads a JPEG whose content type carries parameters", async () => {
    const image = await fetcher()(new URL(images.url("/dog.jpg")), limits);
    expect(image.contentType).toBe("image/jpeg");
    expect(image.bytes.equals(jpeg)).toBe(true);
  });

  it(`follows up to ${MAX_REDIRECTS} redirects, checking each hop`, async () => {
    const resolver = loopbackResolver();
    const image = await fetcher(publicOrTestServer, resolver)(
      new URL(images.url(`/hop/${MAX_REDIRECTS - 1}`)),
      limits,
    );
    expect(image.redirects).toBe(MAX_REDIRECTS);
    expect(image.finalUrl).toBe(images.url("/dog.png"));
    expect(resolver.lookups).toHaveLength(MAX_REDIRECTS + 1);
  });

  it("refuses a fourth redirect", async () => {
    const error = await failure(fetcher(), images.url(`/hop/${MAX_REDIRECTS}`));
    expect(error.failure).toBe("too-many-redirects");
    expect(error.message).toBe("url redirected more than 3 times");
  });

  it("refuses a redirect to http://", async () => {
    const error = await failure(fetcher(), images.url("/to-http"));
    expect(error.failure).toBe("redirect-refused");
    expect(error.message).toBe("url redirected to a non-https URL");
  });

  it.each([
    ["/to-metadata-ip", "metadata", "169.254.169.254"],
    ["/to-metadata-name", "metadata", "169.254.169.254"],
    ["/to-ipv6-loopback", "loopback", "::1"],
  ])("refuses a redirect %s to a non-public address", async (path, kind, address) => {
    const error = await failure(fetcher(), images.url(path));
    expect(error.failure).toBe("forbidden-address");
    expect(error.message).toBe("url must point to a public internet address");
    expect(error.detail).toEqual({ kind, address });
  });

  it.each([
    ["https://127.0.0.1/", "loopback"],
    ["https://10.1.2.3/dog.png", "private"],
    ["https://100.64.0.1/", "shared"],
    ["https://169.254.169.254/latest/meta-data/", "metadata"],
    ["https://[fd00:ec2::254]/latest/meta-data/", "metadata"],
    ["https://[::1]/", "loopback"],
    ["https://[::ffff:127.0.0.1]/", "loopback"],
    ["https://[::ffff:a9fe:a9fe]/", "metadata"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[fc00::1]/", "unique-local"],
    ["https://0.0.0.0/", "unspecified"],
    ["https://2130706433/", "loopback"], // the URL parser normalises this to 127.0.0.1
    ["https://images.test/dog.png", "loopback"], // a name is judged by what it resolves to
    ["https://metadata.test/", "metadata"],
    ["https://private.test/", "private"],
    ["https://ipv6-loopback.test/", "loopback"],
    ["https://mapped.test/", "loopback"],
  ])("refuses %s (%s) under the production policy", async (url, kind) => {
    const error = await failure(createImageFetcher({ resolve: loopbackResolver() }), url);
    expect(error.failure).toBe("forbidden-address");
    expect(error.detail?.kind).toBe(kind);
  });

  it("refuses a host whose answer mixes allowed and forbidden addresses", async () => {
    const error = await failure(fetcher(), `https://mixed.test:${images.port}/mixed-answer.png`);
    expect(error.failure).toBe("forbidden-address");
    expect(error.detail).toEqual({ kind: "private", address: "10.0.0.7" });
    expect(images.requests).not.toContain("/mixed-answer.png");
  });

  it("refuses by Content-Length before reading the body", async () => {
    const error = await failure(fetcher(), images.url("/huge-declared.jpg"));
    expect(error.failure).toBe("too-large");
    expect(error.message).toBe(`image must be at most ${limits.maxBytes} bytes`);
  });

  it("stops reading a streamed body at the cap", async () => {
    const error = await failure(fetcher(), images.url("/huge-streamed.jpg"));
    expect(error.failure).toBe("too-large");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stream = images.streams.find((s) => s.path === "/huge-streamed.jpg")!;
    expect(stream.clientClosedEarly).toBe(true);
    expect(stream.completed).toBe(false);
    expect(stream.bytesSent).toBeLessThan(64 * 16 * 1024);
  });

  it("refuses content types other than JPEG and PNG", async () => {
    const error = await failure(fetcher(), images.url("/page.html"));
    expect(error.failure).toBe("unsupported-type");
    expect(error.message).toBe("url must serve image/jpeg or image/png");
  });

  it("refuses bytes that do not match the declared type", async () => {
    const error = await failure(fetcher(), images.url("/lying.png"));
    expect(error.failure).toBe("content-mismatch");
    expect(error.message).toBe("url content is not a valid image/png image");
  });

  it("reports an error status", async () => {
    const error = await failure(fetcher(), images.url("/missing.png"));
    expect(error.failure).toBe("http-status");
    expect(error.message).toBe("url answered HTTP 404");
  });

  it.each(["/hang.jpg", "/stall.jpg"])("gives up on %s when the time budget is spent", async (path) => {
    const started = Date.now();
    const error = await failure(fetcher(), images.url(path), { ...limits, timeoutMs: 300 });
    expect(error.failure).toBe("timeout");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("spends one time budget across all redirects", async () => {
    let hits = 0;
    images.route("/slow-hop", (_req, res) => {
      hits += 1;
      setTimeout(() => res.writeHead(302, { location: "/slow-hop" }).end(), 120);
    });
    const started = Date.now();
    const error = await failure(fetcher(), images.url("/slow-hop"), { ...limits, timeoutMs: 300 });
    expect(error.failure).toBe("timeout");
    expect(hits).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("reports a host that does not resolve", async () => {
    const error = await failure(fetcher(), "https://no-such-host.test/dog.png");
    expect(error.failure).toBe("unreachable");
    expect(error.message).toBe("url host could not be resolved");
  });

  it("verifies certificates: without the test CA the self-signed server is refused", async () => {
    const strict = createImageFetcher({ addressPolicy: publicOrTestServer, resolve: loopbackResolver() });
    const error = await failure(strict, images.url("/dog.png"));
    expect(error.failure).toBe("unreachable");
    expect(error.detail?.code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});
