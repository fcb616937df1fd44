import {
  InvokeEndpointCommand,
  ModelError,
  ModelNotReadyException,
  SageMakerRuntimeClient,
  ServiceUnavailable,
  ValidationError,
} from "@aws-sdk/client-sagemaker-runtime";
import { jpegLike, solidPng } from "./sample-images";
import { modelPredictions, startSageMakerRuntimeServer, topKFrom } from "./sagemaker-runtime-server";
import type { SageMakerRuntimeServer } from "./sagemaker-runtime-server";

const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-secret" };

describe("local SageMaker runtime server, spoken to by the real SDK client", () => {
  let runtime: SageMakerRuntimeServer;
  let client: SageMakerRuntimeClient;

  beforeAll(async () => {
    runtime = await startSageMakerRuntimeServer({ endpointNames: ["dog-breeds"] });
    client = new SageMakerRuntimeClient({
      endpoint: runtime.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  afterEach(() => runtime.reset());
  afterAll(async () => {
    client.destroy();
    await runtime.close();
  });

  const invoke = (overrides: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]> = {}) =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName: "dog-breeds",
        Body: solidPng(),
        ContentType: "image/png",
        Accept: "application/json; topk=3",
        ...overrides,
      }),
    );

  it("receives InvokeEndpoint as the SDK serialises it", async () => {
    await invoke({ CustomAttributes: "trace=abc" });
    expect(runtime.invocations).toHaveLength(1);
    const [call] = runtime.invocations;
    expect(call!.endpointName).toBe("dog-breeds");
    expect(call!.contentType).toBe("image/png");
    expect(call!.accept).toBe("application/json; topk=3");
    expect(call!.customAttributes).toBe("trace=abc");
    expect(call!.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/us-east-1\/sagemaker\/aws4_request/,
    );
    expect(call!.body.equals(solidPng())).toBe(true);
  });

  it("answers like the model: deterministic top-k predictions as JSON", async () => {
    const image = jpegLike(4096, 7);
    const first = await invoke({ Body: image, ContentType: "image/jpeg" });
    const second = await invoke({ Body: image, ContentType: "image/jpeg" });
    expect(first.ContentType).toBe("application/json");
    expect(first.InvokedProductionVariant).toBe("AllTraffic");
    const answer = JSON.parse(Buffer.from(first.Body).toString("utf8"));
    expect(answer).toEqual({ predictions: modelPredictions(image, 3) });
    expect(Buffer.from(second.Body).equals(Buffer.from(first.Body))).toBe(true);
    expect(answer.predictions).toHaveLength(3);
    expect(answer.predictions[0].probability).toBeGreaterThanOrEqual(answer.predictions[1].probability);
    expect(answer.predictions[0].label).toBe(`class-${String(answer.predictions[0].index).padStart(3, "0")}`);
  });

  it("gives different images different predictions, probabilities summing to 1", () => {
    const a = modelPredictions(jpegLike(2048, 1), undefined);
    const b = modelPredictions(jpegLike(2048, 2), undefined);
    expect(a).toHaveLength(133);
    expect(a.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(1, 10);
    expect(a.map((p) => p.index)).not.toEqual(b.map((p) => p.index));
  });

  it("reads k from the Accept header parameter", () => {
    expect(topKFrom("application/json; topk=5")).toBe(5);
    expect(topKFrom("application/json;TopK = 12")).toBe(12);
    expect(topKFrom("application/json")).toBeUndefined();
  });

  it("raises the SDK's real ModelError with the container's status", async () => {
    runtime.setMode({ kind: "error", error: "ModelError", originalStatusCode: 400, message: "bad image" });
    const error = await invoke().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).OriginalStatusCode).toBe(400);
    expect((error as ModelError).OriginalMessage).toBe("bad image");
    expect((error as ModelError).$metadata.httpStatusCode).toBe(424);
    expect((error as ModelError).message).toContain("Received client error (400)");
  });

  it("raises ValidationError for an unknown endpoint, as the service does", async () => {
    const error = await invoke({ EndpointName: "no-such-endpoint" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      "Endpoint no-such-endpoint of account 000000000000 not found.",
    );
  });

  it("raises the other modelled errors with their status codes", async () => {
    runtime.setMode({ kind: "error", error: "ServiceUnavailable" });
    const unavailable = await invoke().catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(ServiceUnavailable);
    expect((unavailable as ServiceUnavailable).$metadata.httpStatusCode).toBe(503);

    runtime.setMode({ kind: "error", error: "ModelNotReadyException" });
    const notReady = await invoke().catch((e: unknown) => e);
    expect(notReady).toBeInstanceOf(ModelNotReadyException);
  });

  it("answers raw bodies and can switch modes per request", async () => {
    runtime.setMode((_call, index) =>
      index === 0
        ? { kind: "raw", statusCode: 200, contentType: "application/json", body: "not json" }
        : { kind: "model" },
    );
    const raw = await invoke();
    expect(Buffer.from(raw.Body).toString("utf8")).toBe("not json");
    const model = await invoke();
    expect(JSON.parse(Buffer.from(model.Body).toString("utf8")).predictions).toHaveLength(3);
  });

  it("hangs until the client gives up", async () => {
    runtime.setMode({ kind: "hang" });
    const started = Date.now();
    const error = await client
      .send(
        new InvokeEndpointCommand({ EndpointName: "dog-breeds", Body: solidPng(), ContentType: "image/png" }),
        {
          abortSignal: AbortSignal.timeout(200),
        },
      )
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("resets the connection before any header in reset mode", async () => {
    runtime.setMode({ kind: "reset" });
    const error = await invoke().catch((e: unknown) => e);
    // Inside jest the socket error reaches the SDK from another realm, so it arrives wrapped.
    expect(String((error as Error).message)).toMatch(/ECONNRESET/);
    expect(runtime.invocations).toHaveLength(1);
  });

  it("rejects unsigned requests", async () => {
    const response = await fetch(`${runtime.url}/endpoints/dog-breeds/invocations`, {
      method: "POST",
      body: "x",
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^MissingAuthenticationTokenException:/);
  });
});
