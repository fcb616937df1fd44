/**
 * The built bundle in its own `node` process, as Lambda runs it. Some failures only look
 * like production there: inside jest's sandbox, errors raised by Node's own sockets are not
 * `instanceof Error`, so the SDK wraps them ("AWS SDK error wrapper for ...") and hides the
 * name Smithy gave them. A reset connection must be a 502 where it matters: in the runtime.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLambdaRunner } from "../../local/lambda-runner";
import type { LambdaRunner } from "../../local/lambda-runner";
import { ChildProcesses } from "../../local/processes";
import { TEST_AWS_ENVIRONMENT } from "../../test/support/aws-test-environment";
import { solidPng } from "../../test/support/sample-images";
import { startSageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import type { SageMakerRuntimeServer } from "../../test/support/sagemaker-runtime-server";
import { bundleFunction, inferenceFunctionEntry } from "../bundle";

describe("the bundled handler in a Lambda-like node process", () => {
  let runtime: SageMakerRuntimeServer;
  let runner: LambdaRunner;
  let dir: string;
  const processes = new ChildProcesses();

  beforeAll(async () => {
    runtime = await startSageMakerRuntimeServer({ endpointNames: ["dog-breeds"] });
    dir = mkdtempSync(path.join(tmpdir(), "inference-runtime-"));
    writeFileSync(path.join(dir, "index.js"), bundleFunction(inferenceFunctionEntry).code);
    runner = await startLambdaRunner({
      bundlePath: path.join(dir, "index.js"),
      processes,
      env: {
        ...TEST_AWS_ENVIRONMENT,
        ENDPOINT_NAME: "dog-breeds",
        SAGEMAKER_RUNTIME_URL: runtime.url,
        ENDPOINT_TIMEOUT_MS: "2000",
        LOG_LEVEL: "INFO",
      },
    });
  });
  afterEach(() => runtime.reset());
  afterAll(async () => {
    await runner.close();
    await processes.stopAll();
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const invoke = async () => {
    const { response, logs } = await runner.invoke({ image: solidPng(4, 4).toString("base64") });
    const { statusCode, body } = response as { statusCode: number; body: string };
    return { statusCode, body: JSON.parse(body) as Record<string, unknown>, logs };
  };

  it("answers 502, not 504, when the endpoint resets the connection before any header", async () => {
    runtime.setMode({ kind: "reset" });
    const { statusCode, body, logs } = await invoke();
    expect(statusCode).toBe(502);
    expect(body.error).toBe("the model endpoint failed to classify the image");
    // The log keeps what happened: Smithy's name for it and the socket's code.
    expect(logs[0]).toMatchObject({ statusCode: 502, endpointFailure: "failed", errorCode: "ECONNRESET" });
    expect(runtime.invocations).toHaveLength(2); // transient: retried once
  });

  it("answers 504 when the endpoint really does not answer in time", async () => {
    runtime.setMode({ kind: "hang" });
    const { statusCode, body } = await invoke();
    expect(statusCode).toBe(504);
    expect(body.error).toBe("the model endpoint did not answer in time");
  });

  it("passes the model's 400 through with its message, as in jest", async () => {
    runtime.setMode({
      kind: "error",
      error: "ModelError",
      originalStatusCode: 400,
      message: "request body is not a decodable JPEG or PNG image (image file is truncated)\nTraceback ...",
    });
    const { statusCode, body } = await invoke();
    expect(statusCode).toBe(400);
    expect(body).toEqual({
      error: "request body is not a decodable JPEG or PNG image (image file is truncated)",
    });
  });
});
