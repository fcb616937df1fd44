import { Logger } from "@aws-lambda-powertools/logger";
import type { AddressPolicy } from "./address-guard";
import type { InferenceConfig } from "./config";
import { createRuntimeClient } from "./endpoint";
import { createImageFetcher } from "./fetch-image";
import { createHandler } from "./handler";
import { LAMBDA_RESPONSE_LIMIT_BYTES, predictionsResponse } from "./response";
import type { HandlerDependencies, InferenceHandler } from "./handler";
import { useTestAwsEnvironment } from "../../test/support/aws-test-environment";
import { startHttpsImageServer } from "../../test/support/https-image-server";
import type { HttpsImageServer } from "../../test/support/https-image-server";
import { loopbackResolver } from "../../test/support/loopback-resolver";
import { GIF_BYTES, jpegLike, solidPng } from "../../test/support/sample-images";
import { modelPredictions, startSageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import type { SageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";

useTestAwsEnvironment();

const MAX_IMAGE_BYTES = 64 * 1024;
const ENDPOINT_TIMEOUT_MS = 500;
const context = { awsRequestId: "req-0001", functionName: "inference" };
const publicOrTestServer: AddressPolicy = (address) =>
  address.kind === "public" || address.address === "127.0.0.1";

const png = solidPng(8, 8);
const jpeg = jpegLike(20_000, 3);
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");

describe("inference handler", () => {
  let runtime: SageMakerRuntimeServer;
  let images: HttpsImageServer;
  let config: InferenceConfig;
  let deps: HandlerDependencies;
  let handler: InferenceHandler;

  beforeAll(async () => {
    runtime = await startSageMakerRuntimeServer({ endpointNames: ["dog-breeds"] });
    images = await startHttpsImageServer({
      "/dog.png": { kind: "file", contentType: "image/png", body: png },
      "/dog.jpg": { kind: "file", contentType: "image/jpeg", body: jpeg },
      "/to-dog": { kind: "redirect", location: "/dog.jpg" },
      "/to-private": { kind: "redirect", location: "https://10.0.0.7/dog.jpg" },
      "/to-metadata": { kind: "redirect", location: "https://metadata.test/latest/meta-data/" },
      "/loop": { kind: "redirect", location: "/loop" },
      "/page.html": { kind: "file", contentType: "text/html", body: Buffer.from("<html></html>") },
      "/gif": { kind: "file", contentType: "image/gif", body: GIF_BYTES },
      "/lying.jpg": { kind: "file", contentType: "image/jpeg", body: png },
      "/missing.jpg": { kind: "file", status: 404, contentType: "text/plain", body: Buffer.from("no") },
      "/huge-declared.jpg": {
        kind: "file",
        contentType: "image/jpeg",
        body: jpeg,
        contentLength: MAX_IMAGE_BYTES + 1,
      },
      "/huge-streamed.jpg": {
        kind: "stream",
        contentType: "image/jpeg",
        chunk: jpegLike(8 * 1024),
        chunks: 32,
      },
      "/hang.jpg": { kind: "hang" },
    });
    config = {
      endpointName: "dog-breeds",
      runtimeUrl: runtime.url,
      maxImageBytes: MAX_IMAGE_BYTES,
      fetchTimeoutMs: 400,
      endpointTimeoutMs: ENDPOINT_TIMEOUT_MS,
      topK: 3,
      logLevel: "SILENT",
    };
    deps = {
      config,
      client: createRuntimeClient(config),
      logger: new Logger({ serviceName: "inference", logLevel: "SILENT" }),
      fetchImage: createImageFetcher({
        addressPolicy: publicOrTestServer,
        trustedCa: images.ca,
        resolve: loopbackResolver(),
      }),
    };
    handler = createHandler(deps);
  });
  afterEach(() => runtime.reset());
  afterAll(async () => {
    deps.client.destroy();
    await Promise.all([runtime.close(), images.close()]);
  });

  const bodyOf = (response: { body: string }) => JSON.parse(response.body) as Record<string, unknown>;

  describe("answers 200 with the top-k predictions", () => {
    it("for a base64 PNG", async () => {
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json");
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(png, 3) });
      expect(runtime.invocations).toHaveLength(1);
      const [call] = runtime.invocations;
      expect(call!.endpointName).toBe("dog-breeds");
      expect(call!.contentType).toBe("image/png");
      expect(call!.accept).toBe("application/json; topk=3");
      expect(call!.body.equals(png)).toBe(true);
    });

    it("for a base64 JPEG, line-wrapped as the base64 tool writes it", async () => {
      const wrapped = b64(jpeg).replace(/(.{76})/g, "$1\n");
      const response = await handler({ image: wrapped }, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(jpeg, 3) });
      expect(runtime.invocations[0]!.contentType).toBe("image/jpeg");
    });

    it("for an https URL, following a redirect", async () => {
      const response = await handler({ url: images.url("/to-dog") }, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(jpeg, 3) });
      expect(runtime.invocations[0]!.body.equals(jpeg)).toBe(true);
    });

    it("for an API Gateway REST (v1) proxy event", async () => {
      const event = {
        resource: "/classify",
        path: "/classify",
        httpMethod: "POST",
        headers: { "content-type": "application/json" },
        requestContext: { requestId: "gw-1", stage: "prod" },
        body: JSON.stringify({ url: images.url("/dog.png") }),
        isBase64Encoded: false,
      };
      const response = await handler(event, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(png, 3) });
    });

    it("for a function URL (HTTP API v2) event with a base64-encoded body", async () => {
      const event = {
        version: "2.0",
        routeKey: "$default",
        rawPath: "/",
        headers: { "content-type": "application/octet-stream" },
        requestContext: { http: { method: "POST", path: "/" }, requestId: "url-1" },
        body: b64(JSON.stringify({ image: b64(png) })),
        isBase64Encoded: true,
      };
      const response = await handler(event, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(png, 3) });
    });

    it("sorting and cutting to k even when the endpoint sends more", async () => {
      const predictions = modelPredictions(png, undefined).reverse();
      runtime.setMode({
        kind: "raw",
        statusCode: 200,
        contentType: "application/json",
        body: JSON.stringify({ predictions }),
      });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ predictions: modelPredictions(png, 3) });
    });
  });

  describe("answers 4xx with a message naming the problem", () => {
    const bigImage = jpegLike(MAX_IMAGE_BYTES + 1);
    const cases: [string, () => unknown, number, string][] = [
      ["a null event", () => null, 400, "event must be a JSON object"],
      ["a string event", () => "https://images.test/dog.png", 400, "event must be a JSON object"],
      ["an array event", () => [{ url: "https://images.test/dog.png" }], 400, "event must be a JSON object"],
      ["no fields", () => ({}), 400, "provide exactly one of url or image"],
      [
        "both fields",
        () => ({ url: images.url("/dog.png"), image: b64(png) }),
        400,
        "provide exactly one of url or image",
      ],
      ["null fields", () => ({ url: null, image: null }), 400, "provide exactly one of url or image"],
      [
        "a misspelt field",
        () => ({ URL: images.url("/dog.png") }),
        400,
        "provide exactly one of url or image",
      ],
      ["a numeric url", () => ({ url: 42 }), 400, "url must be an https URL"],
      ["an http url", () => ({ url: "http://images.test/dog.png" }), 400, "url must be an https URL"],
      ["an ftp url", () => ({ url: "ftp://images.test/dog.png" }), 400, "url must be an https URL"],
      ["a relative url", () => ({ url: "/dog.png" }), 400, "url must be an https URL"],
      [
        "a url with credentials",
        () => ({ url: "https://user:secret@images.test/dog.png" }),
        400,
        "url must not contain credentials",
      ],
      [
        "an overlong url",
        () => ({ url: `https://images.test/${"a".repeat(2048)}` }),
        400,
        "url must be at most 2048 characters",
      ],
      [
        "localhost",
        () => ({ url: "https://localhost/dog.png" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "a private address",
        () => ({ url: "https://10.0.0.7/dog.png" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "the metadata address",
        () => ({ url: "https://169.254.169.254/latest/meta-data/" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "the IPv6 metadata address",
        () => ({ url: "https://[fd00:ec2::254]/latest/meta-data/" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "IPv6 loopback",
        () => ({ url: "https://[::1]/dog.png" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "IPv4-mapped loopback",
        () => ({ url: `https://[::ffff:127.0.0.1]:${images.port}/dog.png` }),
        400,
        "url must point to a public internet address",
      ],
      [
        "a name resolving to the metadata address",
        () => ({ url: "https://metadata.test/" }),
        400,
        "url must point to a public internet address",
      ],
      [
        "a redirect to a private address",
        () => ({ url: images.url("/to-private") }),
        400,
        "url must point to a public internet address",
      ],
      [
        "a redirect to a name of the metadata address",
        () => ({ url: images.url("/to-metadata") }),
        400,
        "url must point to a public internet address",
      ],
      ["too many redirects", () => ({ url: images.url("/loop") }), 400, "url redirected more than 3 times"],
      [
        "a too large Content-Length",
        () => ({ url: images.url("/huge-declared.jpg") }),
        413,
        `image must be at most ${MAX_IMAGE_BYTES} bytes`,
      ],
      [
        "a too large streamed body",
        () => ({ url: images.url("/huge-streamed.jpg") }),
        413,
        `image must be at most ${MAX_IMAGE_BYTES} bytes`,
      ],
      [
        "an HTML page",
        () => ({ url: images.url("/page.html") }),
        415,
        "url must serve image/jpeg or image/png",
      ],
      ["a GIF url", () => ({ url: images.url("/gif") }), 415, "url must serve image/jpeg or image/png"],
      [
        "a url whose bytes contradict its type",
        () => ({ url: images.url("/lying.jpg") }),
        422,
        "url content is not a valid image/jpeg image",
      ],
      ["a url answering 404", () => ({ url: images.url("/missing.jpg") }), 422, "url answered HTTP 404"],
      [
        "an unknown host",
        () => ({ url: "https://no-such-host.test/dog.png" }),
        422,
        "url host could not be resolved",
      ],
      ["a numeric image", () => ({ image: 42 }), 400, "image must be base64"],
      ["base64 garbage", () => ({ image: "this is *not* base64!" }), 400, "image must be base64"],
      ["truncated base64", () => ({ image: "iVBORw0KGgoA=" }), 400, "image must be base64"],
      ["an empty image", () => ({ image: "" }), 400, "image must not be empty"],
      ["a GIF image", () => ({ image: b64(GIF_BYTES) }), 415, "image must be a JPEG or PNG"],
      ["text as an image", () => ({ image: b64("hello, world") }), 415, "image must be a JPEG or PNG"],
      [
        "a too large image",
        () => ({ image: b64(bigImage) }),
        413,
        `image must be at most ${MAX_IMAGE_BYTES} bytes`,
      ],
      [
        "malformed JSON in a body",
        () => ({ httpMethod: "POST", body: '{"url": ' }),
        400,
        "body is not valid JSON",
      ],
      ["a missing body", () => ({ httpMethod: "GET", body: null }), 400, "body is required"],
      ["an empty body", () => ({ requestContext: {}, body: "" }), 400, "body is required"],
      [
        "a body that is not an object",
        () => ({ requestContext: {}, body: "[1, 2]" }),
        400,
        "body must be a JSON object",
      ],
      ["a non-string body", () => ({ requestContext: {}, body: { url: "x" } }), 400, "body must be a string"],
      [
        "a body that is not base64",
        () => ({ requestContext: {}, body: "{}}", isBase64Encoded: true }),
        400,
        "body is not valid base64",
      ],
      [
        "a wrapped request missing fields",
        () => ({ requestContext: {}, body: "{}" }),
        400,
        "provide exactly one of url or image",
      ],
      [
        "a wrapped http url",
        () => ({ requestContext: {}, body: JSON.stringify({ url: "http://x.test/" }) }),
        400,
        "url must be an https URL",
      ],
    ];

    it.each(cases)("for %s", async (_name, event, statusCode, message) => {
      const response = await handler(event(), context);
      expect({ statusCode: response.statusCode, body: bodyOf(response) }).toEqual({
        statusCode,
        body: { error: message },
      });
      expect(response.headers["content-type"]).toBe("application/json");
      expect(runtime.invocations).toHaveLength(0);
    });
  });

  describe("passes the model's own refusal of the image through", () => {
    // What the SageMaker inference toolkit answers for an error with a status code: the
    // message, a newline and the traceback (transformer.py, handle_error); the runtime API
    // wraps it as ModelError with OriginalStatusCode and OriginalMessage.
    const traceback =
      'Traceback (most recent call last):\n  File "/opt/ml/model/code/inference.py", line 80, in input_fn\n';
    it.each([
      [400, "request body is not a decodable JPEG or PNG image (image file is truncated)"],
      [413, "image is 6000x6000 = 36000000 pixels; the limit is 25000000 (MAX_IMAGE_PIXELS)"],
      [415, "unsupported content type 'image/gif'; send image/jpeg or image/png bytes"],
    ])(
      "ModelError with OriginalStatusCode %i becomes %i with the model's message",
      async (status, message) => {
        runtime.setMode({
          kind: "error",
          error: "ModelError",
          originalStatusCode: status,
          message: `${message}\n${traceback}`,
        });
        const response = await handler({ image: b64(png) }, context);
        expect(response.statusCode).toBe(status);
        expect(bodyOf(response)).toEqual({ error: message });
        expect(response.body).not.toContain("/opt/ml");
        expect(runtime.invocations).toHaveLength(1);
      },
    );

    it("cuts an overlong model message and drops control characters", async () => {
      runtime.setMode({
        kind: "error",
        error: "ModelError",
        originalStatusCode: 400,
        message: `bad\u0007 image ${"x".repeat(5_000)}`,
      });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(400);
      const { error } = bodyOf(response) as { error: string };
      expect(error.startsWith("bad image xxx")).toBe(true);
      expect(error.length).toBeLessThanOrEqual(500);
    });

    it("a model refusal without a message still says what happened", async () => {
      runtime.setMode({ kind: "error", error: "ModelError", originalStatusCode: 400, message: "\n" });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toEqual({ error: "the model refused the image (HTTP 400)" });
    });

    it("429 from the model is throttling (503), not the caller's fault", async () => {
      runtime.setMode({ kind: "error", error: "ModelError", originalStatusCode: 429, message: "busy" });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("1");
    });
  });

  describe("answers 5xx when the endpoint fails, without internals", () => {
    it("502 after one retry when the endpoint answers 500", async () => {
      runtime.setMode({ kind: "error", error: "InternalFailure", message: "secret stack trace" });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint failed to classify the image",
        requestId: "req-0001",
      });
      expect(response.body).not.toContain("secret");
      expect(runtime.invocations).toHaveLength(2);
    });

    it("502 on an unmodelled 500 page", async () => {
      runtime.setMode({ kind: "raw", statusCode: 500, contentType: "text/html", body: "<h1>oops</h1>" });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response).error).toBe("the model endpoint failed to classify the image");
    });

    it("502 on ModelError, not retried", async () => {
      runtime.setMode({
        kind: "error",
        error: "ModelError",
        originalStatusCode: 500,
        message: "CUDA out of memory at /opt/ml/model",
      });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint failed to classify the image",
        requestId: "req-0001",
      });
      expect(response.body).not.toContain("/opt/ml");
      expect(runtime.invocations).toHaveLength(1);
    });

    it("502 on ValidationError (for example an endpoint name that does not exist)", async () => {
      const misnamed = createHandler({ ...deps, config: { ...config, endpointName: "no-such-endpoint" } });
      const response = await misnamed({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response).error).toBe("the model endpoint failed to classify the image");
    });

    it("502 when the endpoint resets the connection before answering (not 504)", async () => {
      runtime.setMode({ kind: "reset" });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint failed to classify the image",
        requestId: "req-0001",
      });
      expect(runtime.invocations).toHaveLength(2); // a reset is transient: retried once
    });

    it("502 when the answer would exceed Lambda's 6 MB response limit", async () => {
      // Three predictions whose labels alone weigh 7 MB: valid, but Lambda could not return it.
      const label = "x".repeat(Math.ceil((7 * 1024 * 1024) / 3));
      const predictions = [0, 1, 2].map((index) => ({ label, index, probability: 0.3 }));
      runtime.setMode({
        kind: "raw",
        statusCode: 200,
        contentType: "application/json",
        body: JSON.stringify({ predictions }),
      });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint returned an answer too large to return",
        requestId: "req-0001",
      });
    });

    it("502 without parsing when the endpoint's answer is itself over the limit", async () => {
      const predictions = Array.from({ length: 9_000 }, (_, index) => ({
        label: `label-${index}-${"y".repeat(800)}`,
        index,
        probability: 0.0001,
      }));
      const body = JSON.stringify({ predictions });
      expect(body.length).toBeGreaterThan(LAMBDA_RESPONSE_LIMIT_BYTES);
      runtime.setMode({ kind: "raw", statusCode: 200, contentType: "application/json", body });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response).error).toBe("the model endpoint returned an answer too large to return");
    });

    it("an answer just under the limit is returned", async () => {
      const overhead = JSON.stringify(
        predictionsResponse([{ label: "", index: 0, probability: 0.5 }]),
      ).length;
      const label = "z".repeat(LAMBDA_RESPONSE_LIMIT_BYTES - overhead - 16);
      runtime.setMode({
        kind: "raw",
        statusCode: 200,
        contentType: "application/json",
        body: JSON.stringify({ predictions: [{ label, index: 0, probability: 0.5 }] }),
      });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(200);
      expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT_BYTES);
    });

    it("503 with Retry-After when the endpoint is throttled, after one retry", async () => {
      runtime.setMode({ kind: "error", error: "ModelNotReadyException" });
      // The SDK waits up to a second before retrying a throttled call: give it the time.
      const patient = createHandler({ ...deps, config: { ...config, endpointTimeoutMs: 3_000 } });
      const response = await patient({ image: b64(png) }, context);
      expect(runtime.invocations).toHaveLength(2);
      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("1");
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint is busy, retry later",
        requestId: "req-0001",
      });
    });

    it("504 within the configured timeout when the endpoint hangs", async () => {
      runtime.setMode({ kind: "hang" });
      const started = Date.now();
      const response = await handler({ image: b64(png) }, context);
      const elapsed = Date.now() - started;
      expect(response.statusCode).toBe(504);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint did not answer in time",
        requestId: "req-0001",
      });
      expect(elapsed).toBeGreaterThanOrEqual(ENDPOINT_TIMEOUT_MS - 10);
      expect(elapsed).toBeLessThan(ENDPOINT_TIMEOUT_MS + 700);
    });

    it("504 when the image host hangs past the fetch budget", async () => {
      const response = await handler({ url: images.url("/hang.jpg") }, context);
      expect(response.statusCode).toBe(504);
      expect(bodyOf(response)).toEqual({ error: "timed out fetching the image", requestId: "req-0001" });
    });

    it.each([
      ["not JSON", "<html>"],
      ["raw logits", JSON.stringify([0.1, 0.7, 0.2])],
      ["predictions without labels", JSON.stringify({ predictions: [{ index: 1, probability: 0.5 }] })],
      [
        "a probability above 1",
        JSON.stringify({ predictions: [{ label: "a", index: 0, probability: 1.5 }] }),
      ],
      ["no predictions", JSON.stringify({ predictions: [] })],
    ])("502 when the endpoint answers %s", async (_name, body) => {
      runtime.setMode({ kind: "raw", statusCode: 200, contentType: "application/json", body });
      const response = await handler({ image: b64(png) }, context);
      expect(response.statusCode).toBe(502);
      expect(bodyOf(response)).toEqual({
        error: "the model endpoint returned an invalid answer",
        requestId: "req-0001",
      });
    });

    it("500 with a generic message and the request id on an unexpected error", async () => {
      const broken = createHandler({
        ...deps,
        fetchImage: () =>
          Promise.reject(new TypeError("cannot read properties of undefined (reading 'secret')")),
      });
      const response = await broken({ url: images.url("/dog.png") }, context);
      expect(response.statusCode).toBe(500);
      expect(bodyOf(response)).toEqual({ error: "internal error", requestId: "req-0001" });
    });

    it("makes up a request id when invoked without a context", async () => {
      runtime.setMode({ kind: "hang" });
      const response = await createHandler({ ...deps, config: { ...config, endpointTimeoutMs: 100 } })({
        image: b64(png),
      });
      expect(response.statusCode).toBe(504);
      expect(bodyOf(response).requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe("logs", () => {
    it("one structured line per request with the request id and timings", async () => {
      const lines: string[] = [];
      const write = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        lines.push(chunk.toString());
        return true;
      });
      try {
        const logged = createHandler({
          ...deps,
          logger: new Logger({ serviceName: "inference", logLevel: "INFO" }),
        });
        await logged({ url: images.url("/dog.png") }, { ...context, awsRequestId: "req-log-1" });
        await logged({ image: "%%%" }, { ...context, awsRequestId: "req-log-2" });
      } finally {
        write.mockRestore();
      }
      const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
      expect(entries).toHaveLength(2);
      const [ok, bad] = entries;
      expect(ok).toMatchObject({
        level: "INFO",
        message: "inference request handled",
        service: "inference",
        function_request_id: "req-log-1",
        cold_start: expect.any(Boolean),
        requestId: "req-log-1",
        statusCode: 200,
        source: "url",
        imageBytes: png.length,
        contentType: "image/png",
      });
      for (const timing of ["fetchMs", "invokeMs", "totalMs"]) {
        expect(typeof ok!.timings[timing]).toBe("number");
        expect(ok!.timings[timing]).toBeGreaterThan(0);
      }
      expect(ok!.timings.totalMs).toBeGreaterThanOrEqual(ok!.timings.fetchMs + ok!.timings.invokeMs);
      expect(bad).toMatchObject({ requestId: "req-log-2", statusCode: 400, reason: "image must be base64" });
      expect(bad!.timings.invokeMs).toBeUndefined();
    });
  });
});
