/**
 * Property: whatever a caller sends, the handler answers (never throws) with a JSON body, and
 * a caller's mistake is never a 5xx. The endpoint is the local runtime in model mode, and the
 * fetcher refuses every address and resolves names from a fixed table, so generated URLs
 * never reach the network.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import fc from "fast-check";
import type { InferenceConfig } from "./config";
import { createRuntimeClient } from "./endpoint";
import { createImageFetcher } from "./fetch-image";
import { createHandler } from "./handler";
import type { InferenceHandler } from "./handler";
import { useTestAwsEnvironment } from "../../test/support/aws-test-environment";
import { loopbackResolver } from "../../test/support/loopback-resolver";
import { jpegLike, solidPng } from "../../test/support/sample-images";
import { startSageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import type { SageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";

useTestAwsEnvironment();

const RUNS = 250;

const validImage = fc.constantFrom(solidPng().toString("base64"), jpegLike(256).toString("base64"));
const imageValue = fc.oneof(validImage, fc.base64String({ maxLength: 64 }), fc.string());
const urlValue = fc.oneof(
  fc.webUrl({ validSchemes: ["https", "http", "ftp"] }),
  fc.constantFrom(
    "https://images.test/dog.png",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:127.0.0.1]/",
    "https://unknown.test/dog.jpg",
  ),
  fc.string(),
);
const fieldValue = fc.oneof(imageValue, urlValue, fc.jsonValue({ maxDepth: 2 }));

// Well-formed requests with generated values, and requests with any mix of fields.
const request = fc.oneof(
  fc.record({ image: imageValue }),
  fc.record({ url: urlValue }),
  fc.record(
    { url: fc.option(fieldValue), image: fc.option(fieldValue), extra: fc.jsonValue({ maxDepth: 1 }) },
    { requiredKeys: [] },
  ),
);

const body = fc.oneof(
  request.map((payload) => JSON.stringify(payload)),
  fc.json({ maxDepth: 2 }),
  fc.string(),
);

const httpEvent = fc.record(
  {
    body: fc.option(
      fc.oneof(
        body,
        body.map((text) => Buffer.from(text).toString("base64")),
        fc.jsonValue({ maxDepth: 1 }),
      ),
    ),
    isBase64Encoded: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })),
    httpMethod: fc.constantFrom("POST", "GET"),
    requestContext: fc.constant({ requestId: "generated" }),
    headers: fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  },
  { requiredKeys: ["requestContext"] },
);

const anyEvent = fc.oneof(request, httpEvent, fc.anything({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }));

describe("inference handler under arbitrary events", () => {
  let runtime: SageMakerRuntimeServer;
  let handler: InferenceHandler;
  let dispose: () => void;

  beforeAll(async () => {
    runtime = await startSageMakerRuntimeServer();
    const config: InferenceConfig = {
      endpointName: "dog-breeds",
      runtimeUrl: runtime.url,
      maxImageBytes: 4096,
      fetchTimeoutMs: 500,
      endpointTimeoutMs: 2_000,
      topK: 3,
      logLevel: "SILENT",
    };
    const client = createRuntimeClient(config);
    dispose = () => client.destroy();
    handler = createHandler({
      config,
      client,
      logger: new Logger({ logLevel: "SILENT" }),
      fetchImage: createImageFetcher({ addressPolicy: () => false, resolve: loopbackResolver() }),
    });
  });
  afterAll(async () => {
    dispose();
    await runtime.close();
  });

  it("never throws, always answers JSON, and never blames itself for a caller's mistake", async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        const response = await handler(event, { awsRequestId: "property" });
        seen.add(response.statusCode);
        expect(response.headers["content-type"]).toBe("application/json");
        const payload = JSON.parse(response.body) as Record<string, unknown>;
        if (response.statusCode === 200) {
          expect(Array.isArray(payload.predictions)).toBe(true);
        } else {
          expect([400, 413, 415, 422]).toContain(response.statusCode);
          expect(typeof payload.error).toBe("string");
          expect(Object.keys(payload)).toEqual(["error"]);
        }
      }),
      { numRuns: RUNS },
    );
    // The generators reach both the happy path and the refusals.
    expect(seen).toContain(200);
    expect(seen).toContain(400);
  });
});
