/**
 * The local endpoint against the contracts it stands in for: the SageMaker PyTorch serving
 * container's handler calls (which function gets which arguments, what errors become), the
 * hosting container's /ping and /invocations, and the runtime API route, spoken to by the real
 * SDK client. A probe module records what the container hands it, so nothing here depends
 * on our inference.py.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  InvokeEndpointCommand,
  ModelError,
  SageMakerRuntimeClient,
  ValidationError,
} from "@aws-sdk/client-sagemaker-runtime";
import { SAGEMAKER_DIR, startLocalEndpoint } from "./endpoint";
import type { LocalEndpoint } from "./endpoint";
import { ChildProcesses } from "./processes";
import { pythonForTests } from "./python";

const run = promisify(execFile);
const PYTHON = pythonForTests();
const describePython = PYTHON ? describe : describe.skip;

const PROBE = `
import json, os, sys

from sagemaker_inference.errors import BaseInferenceToolkitError

CALLS = []


class Refused(BaseInferenceToolkitError):
    def __init__(self, status, message):
        super().__init__(status, message, "refused: " + message)


def model_fn(model_dir):
    CALLS.append(["model_fn", model_dir, sorted(os.listdir(model_dir))])
    return {"model": "probe"}


def input_fn(body, content_type, context):
    CALLS.append(["input_fn", type(body).__name__, content_type])
    if body in (b"refuse", bytearray(b"refuse")):
        raise Refused(422, "cannot process this body")
    if body in (b"crash", bytearray(b"crash")):
        raise RuntimeError("input_fn crashed")
    return {
        "type": type(body).__name__,
        "text": body if isinstance(body, str) else None,
        "length": len(body),
        "content_type": content_type,
        "context_model_dir": context.system_properties["model_dir"],
    }


def predict_fn(data, model):
    return {"data": data, "model": model}


def output_fn(prediction, accept):
    answer = {
        **prediction,
        "accept": accept,
        "calls": CALLS,
        "pythonpath_first": os.environ["PYTHONPATH"].split(os.pathsep)[0],
    }
    if accept == "text/plain":
        return json.dumps(answer)
    return json.dumps(answer), "application/x-probe"
`;

describePython("the local endpoint (hosting.py)", () => {
  const processes = new ChildProcesses();
  let python: string;
  let work: string;
  let endpoint: LocalEndpoint;
  let client: SageMakerRuntimeClient;
  const logs: string[] = [];

  async function archive(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(work, name);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const target = path.join(work, `${name}.tar.gz`);
    await run(python, [path.join(SAGEMAKER_DIR, "model_archive.py"), "pack", dir, target]);
    return target;
  }

  beforeAll(async () => {
    python = PYTHON!;
    work = mkdtempSync(path.join(tmpdir(), "hosting-test-"));
    const probe = await archive("probe", { "code/inference.py": PROBE, "marker.txt": "from the archive\n" });
    endpoint = await startLocalEndpoint({
      python,
      modelArchive: probe,
      modelDir: path.join(work, "opt-ml-model"),
      processes,
      endpointName: "probe-endpoint",
      onLog: (line) => logs.push(line),
    });
    client = new SageMakerRuntimeClient({
      endpoint: endpoint.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-secret" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
    await processes.stopAll();
    rmSync(work, { recursive: true, force: true });
  });

  const container = (headers: Record<string, string>, body: string | Buffer) =>
    fetch(`${endpoint.url}/invocations`, { method: "POST", headers, body });

  describe("the hosting container contract", () => {
    it("loads the model once the archive is unpacked, and /ping says Healthy", async () => {
      expect(endpoint.modelLoad.ok).toBe(true);
      const ping = await endpoint.ping();
      expect(ping.status).toBe(200);
      expect(JSON.parse(ping.body)).toEqual({ status: "Healthy" });
    });

    it("calls model_fn(model_dir) once, on the unpacked model.tar.gz with code/ first on PYTHONPATH", async () => {
      const response = await container(
        { "Content-Type": "image/png", Accept: "text/plain" },
        Buffer.from([1, 2, 3]),
      );
      const answer = (await response.json()) as any;
      const modelDir = path.join(work, "opt-ml-model");
      expect(answer.calls[0]).toEqual(["model_fn", modelDir, ["code", "marker.txt"]]);
      expect(answer.calls.filter((call: string[]) => call[0] === "model_fn")).toHaveLength(1);
      expect(answer.pythonpath_first).toBe(path.join(modelDir, "code"));
      expect(answer.data.context_model_dir).toBe(modelDir);
    });

    it("hands input_fn the raw bytes (a bytearray) and the Content-Type as sent", async () => {
      const response = await container(
        { "Content-Type": "image/png", Accept: "application/json; topk=2" },
        Buffer.from([9, 8, 7, 6]),
      );
      expect(response.status).toBe(200);
      const answer = (await response.json()) as any;
      expect(answer.data).toMatchObject({
        type: "bytearray",
        length: 4,
        content_type: "image/png",
        text: null,
      });
    });

    it("decodes application/json and text/csv bodies to text before input_fn", async () => {
      for (const type of ["application/json", "text/csv"]) {
        const answer = (await (await container({ "Content-Type": type }, '{"a": "é"}')).json()) as any;
        expect(answer.data).toMatchObject({ type: "str", text: '{"a": "é"}', content_type: type });
      }
    });

    it("passes Accept to output_fn verbatim, and application/json when it is missing or */*", async () => {
      const accepts = [];
      for (const accept of ["application/json; topk=2", "*/*", undefined]) {
        const headers: Record<string, string> = { "Content-Type": "image/png" };
        if (accept) headers.Accept = accept;
        accepts.push(((await (await container(headers, "x")).json()) as any).accept);
      }
      expect(accepts).toEqual(["application/json; topk=2", "application/json", "application/json"]);
    });

    it("takes the response Content-Type from output_fn's tuple, else from Accept", async () => {
      const tuple = await container({ "Content-Type": "image/png", Accept: "application/json" }, "x");
      expect(tuple.headers.get("content-type")).toBe("application/x-probe");
      const plain = await container({ "Content-Type": "image/png", Accept: "text/plain" }, "x");
      expect(plain.headers.get("content-type")).toBe("text/plain");
    });

    it("answers a toolkit error with its status_code and phrase, the body being message and traceback", async () => {
      const response = await container({ "Content-Type": "image/png" }, "refuse");
      expect(response.status).toBe(422);
      expect(response.statusText).toBe("refused: cannot process this body");
      const body = await response.text();
      expect(body.split("\n")[0]).toBe("cannot process this body");
      expect(body).toContain("Traceback (most recent call last):");
    });

    it("answers any other exception with 500 and str(exception)", async () => {
      const response = await container({ "Content-Type": "image/png" }, "crash");
      expect(response.status).toBe(500);
      expect((await response.text()).split("\n")[0]).toBe("input_fn crashed");
    });

    it("logs each request with per-handler timings", () => {
      const last = endpoint.invocations.at(-1)!;
      expect(last).toMatchObject({ route: "container", status: 500 });
      expect(last.ms.input_fn).toBeGreaterThanOrEqual(0);
      expect(last.ms.total).toBeGreaterThanOrEqual(last.ms.input_fn!);
    });
  });

  describe("the runtime API route, through the real SDK client", () => {
    const invoke = (overrides: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]> = {}) =>
      client.send(
        new InvokeEndpointCommand({
          EndpointName: "probe-endpoint",
          Body: Buffer.from([1, 2]),
          ContentType: "image/png",
          Accept: "application/json; topk=3",
          ...overrides,
        }),
      );

    it("returns the container's answer and content type", async () => {
      const output = await invoke();
      expect(output.ContentType).toBe("application/x-probe");
      expect(output.InvokedProductionVariant).toBe("AllTraffic");
      const answer = JSON.parse(Buffer.from(output.Body!).toString());
      expect(answer).toMatchObject({
        accept: "application/json; topk=3",
        data: { type: "bytearray", length: 2 },
      });
    });

    it("wraps a container 4xx as ModelError with OriginalStatusCode and OriginalMessage", async () => {
      const error = await invoke({ Body: Buffer.from("refuse") }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelError);
      const modelError = error as ModelError;
      expect(modelError.$metadata.httpStatusCode).toBe(424);
      expect(modelError.OriginalStatusCode).toBe(422);
      expect(modelError.OriginalMessage!.split("\n")[0]).toBe("cannot process this body");
      expect(modelError.message).toMatch(
        /^Received client error \(422\) from primary with message "cannot process this body\n/,
      );
      expect(modelError.LogStreamArn).toBe(
        "arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/probe-endpoint",
      );
    });

    it("says server error for a container 5xx", async () => {
      const error = (await invoke({ Body: Buffer.from("crash") }).catch((e: unknown) => e)) as ModelError;
      expect(error.OriginalStatusCode).toBe(500);
      expect(error.message).toMatch(/^Received server error \(500\) from primary/);
    });

    it("answers ValidationError for an endpoint that does not exist", async () => {
      const error = await invoke({ EndpointName: "no-such-endpoint" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toBe("Endpoint no-such-endpoint of account 000000000000 not found.");
    });

    it("refuses an unsigned request with 403 MissingAuthenticationTokenException", async () => {
      const response = await fetch(`${endpoint.url}/endpoints/probe-endpoint/invocations`, {
        method: "POST",
        headers: { "Content-Type": "image/png" },
        body: "x",
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("x-amzn-errortype")).toMatch(/^MissingAuthenticationTokenException:/);
    });
  });

  describe("a model that does not load", () => {
    it("a module with transform_fn and input_fn is refused, as the toolkit refuses it; /ping is unhealthy and invocations 503", async () => {
      const broken = await archive("mixed", {
        "code/inference.py":
          "def model_fn(d):\n    return 1\ndef transform_fn(m, b, c, a):\n    return b\ndef input_fn(b, c):\n    return b\n",
      });
      const failing = await startLocalEndpoint({
        python,
        modelArchive: broken,
        modelDir: path.join(work, "mixed-model"),
        processes,
      });
      try {
        expect(failing.modelLoad).toEqual({
          ok: false,
          error:
            "ValueError: Cannot use transform_fn implementation in conjunction with input_fn, predict_fn, and/or output_fn implementation",
        });
        const ping = await failing.ping();
        expect(ping.status).toBe(500);
        expect(JSON.parse(ping.body)).toEqual({ status: "Unhealthy" });
        const response = await fetch(`${failing.url}/invocations`, {
          method: "POST",
          headers: { "Content-Type": "image/png" },
          body: "x",
        });
        expect(response.status).toBe(503);
        expect(((await response.json()) as any).type).toBe("ServiceUnavailableException");
      } finally {
        await failing.close();
      }
    });
  });
});
