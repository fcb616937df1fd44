import { useTestAwsEnvironment } from "../../test/support/aws-test-environment";
import { solidPng } from "../../test/support/sample-images";
import { modelPredictions, startSageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import type { SageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import type { InferenceHandler } from "./handler";

useTestAwsEnvironment();

const CONFIG_VARIABLES = [
  "ENDPOINT_NAME",
  "SAGEMAKER_RUNTIME_URL",
  "TOP_K",
  "LOG_LEVEL",
  "ENDPOINT_TIMEOUT_MS",
];

/** Loads index.ts afresh under `env`, as a new Lambda container would. */
function loadHandler(env: Record<string, string>): InferenceHandler {
  for (const name of CONFIG_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  let handler: InferenceHandler | undefined;
  jest.isolateModules(() => {
    handler = (require("./index") as typeof import("./index")).handler;
  });
  return handler!;
}

describe("index.handler (wired from the environment)", () => {
  let runtime: SageMakerRuntimeServer;
  const png = solidPng(3, 3);

  beforeAll(async () => {
    runtime = await startSageMakerRuntimeServer({ endpointNames: ["dog-breeds"] });
  });
  afterAll(async () => {
    for (const name of CONFIG_VARIABLES) delete process.env[name];
    await runtime.close();
  });

  it("uses ENDPOINT_NAME, SAGEMAKER_RUNTIME_URL and TOP_K", async () => {
    const handler = loadHandler({
      ENDPOINT_NAME: "dog-breeds",
      SAGEMAKER_RUNTIME_URL: runtime.url,
      TOP_K: "2",
      LOG_LEVEL: "SILENT",
    });
    const response = await handler({ image: png.toString("base64") }, { awsRequestId: "env-1" });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ predictions: modelPredictions(png, 2) });
    expect(runtime.invocations.at(-1)!.accept).toBe("application/json; topk=2");
  });

  it("answers 500 on every request when misconfigured, and says why in the log", async () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(chunk.toString());
      return true;
    };
    // Powertools writes CRITICAL and ERROR lines to stderr, the rest to stdout.
    const writes = [jest.spyOn(process.stdout, "write"), jest.spyOn(process.stderr, "write")];
    writes.forEach((write) => write.mockImplementation(capture));
    let handler: InferenceHandler;
    try {
      handler = loadHandler({ SAGEMAKER_RUNTIME_URL: runtime.url, TOP_K: "many" });
    } finally {
      writes.forEach((write) => write.mockRestore());
    }
    const response = await handler({ image: png.toString("base64") }, { awsRequestId: "env-2" });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: "the function is misconfigured", requestId: "env-2" });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: "CRITICAL",
        message: "the function is misconfigured",
        reason: "invalid configuration: ENDPOINT_NAME is required; TOP_K must be an integer from 1 to 100",
      }),
    ]);
  });
});
