import { readFileSync } from "node:fs";
import path from "node:path";
import { formatResult, parseArguments } from "./cli";
import type { LocalRunResult } from "./run";
import { pythonCandidates } from "./python";

describe("npm run local: arguments", () => {
  it("reads a full command line", () => {
    const parsed = parseArguments([
      ...[
        "--data",
        "dogs",
        "--url",
        "https://example.com/rex.jpg",
        "--hp",
        "arch=resnet50",
        "--hp",
        "lr=0.001",
      ],
      ...["--top-k", "3", "--workers", "2", "--json"],
    ]);
    expect(parsed).toEqual({
      json: true,
      options: {
        data: { kind: "folder", dir: "dogs" },
        source: { kind: "url", url: "https://example.com/rex.jpg" },
        hyperparameters: { arch: "resnet50", lr: "0.001" },
        topK: 3,
        workers: 2,
        outputDir: undefined,
        testLoopbackCaFile: undefined,
      },
    });
  });

  it("keeps '=' inside a hyperparameter value", () => {
    const parsed = parseArguments(["--demo", "--hp", "note=a=b"]);
    expect(parsed !== "help" && parsed.options.hyperparameters).toEqual({ note: "a=b" });
  });

  it.each([
    [["--demo", "--data", "x"], "give one of --data <dir>, --demo or --model <model.tar.gz>"],
    [["--model", "m.tar.gz", "--demo"], "give one of --data <dir>, --demo or --model <model.tar.gz>"],
    [
      ["--image", "a.png"],
      "give one of --data <dir>, --demo or --model <model.tar.gz> (--data: an ImageFolder dataset)",
    ],
    [["--model", "m.tar.gz"], "give --image <file> or --url <url> to classify with --model"],
    [
      ["--demo", "--image", "a.png", "--url", "https://x.test/a.png"],
      "give at most one of --image <file> or --url <url>",
    ],
    [["--demo", "--top-k", "0"], '--top-k must be a whole number from 1 to 100, got "0"'],
    [["--demo", "--top-k", "2.5"], '--top-k must be a whole number from 1 to 100, got "2.5"'],
    [["--demo", "--workers", "65"], '--workers must be a whole number from 1 to 64, got "65"'],
    [["--demo", "--hp", "epochs"], '--hp must be <key>=<value>, got "epochs"'],
    [["--demo", "--image"], "--image needs a value"],
    [["--data", "--demo"], "--data needs a value"],
    [["--demo", "--frobnicate"], 'unknown argument "--frobnicate"'],
  ])("%j is refused: %s", (args, message) => {
    expect(() => parseArguments(args)).toThrow(message);
  });

  it("answers --help", () => {
    expect(parseArguments(["--demo", "--help"])).toBe("help");
  });
});

describe("npm run local: the printed result", () => {
  const result: LocalRunResult = {
    classes: ["red square", "grüner Kreis ●", "3 blue triangles"],
    source: { kind: "image", file: "/tmp/x/sample.png" },
    expectedClass: "red square",
    training: {
      status: "Completed",
      exitCode: 0,
      seconds: 8.1,
      packSeconds: 0.9,
      testAccuracy: 0.944444,
      sourceBundleSha256: "ab",
    },
    artifact: {
      bytes: 44_800_000,
      entries: ["code/", "labels.json", "model.pth", "model_config.json", "code/inference.py"],
    },
    answer: {
      statusCode: 200,
      body: {
        predictions: [
          { label: "red square", index: 2, probability: 0.656368 },
          { label: "grüner Kreis ●", index: 1, probability: 0.220632 },
          { label: "3 blue triangles", index: 0, probability: 0.123 },
        ],
      },
    },
    seconds: {
      dataset: 0.35,
      training: 8.25,
      packaging: 0.9,
      endpoint: 7.32,
      modelLoad: 7.3,
      bundle: 1.19,
      invoke: 0.22,
    },
    handlerMs: { invokeMs: 205.1, totalMs: 206.2 },
    endpointMs: { input_fn: 0.4, predict_fn: 45.2, output_fn: 0.24, total: 46.3 },
    coldStartMs: 239,
    bundleBytes: 248_254,
  };

  it("lists the predictions with their labels, and every stage's time", () => {
    const text = formatResult(result);
    expect(text).toContain('Predictions for sample.png (the demo sample is a "red square"):');
    expect(text).toContain(
      [
        "  #  label             index  probability",
        "  1  red square            2  0.656368",
        "  2  grüner Kreis ●        1  0.220632",
        "  3  3 blue triangles      0  0.123000",
      ].join("\n"),
    );
    expect(text).toContain("  training    8.25 s  train.py, test accuracy 0.944444");
    expect(text).toContain(
      "  packaging   0.90 s  model.tar.gz 44.8 MB: code/, labels.json, model.pth, model_config.json, code/inference.py",
    );
    expect(text).toContain(
      "  invoke      0.22 s  handler 206 ms (fetch -, InvokeEndpoint 205 ms); container 46 ms (input_fn 0.40 ms, predict_fn 45 ms, output_fn 0.24 ms)",
    );
  });

  it("shows the function's error answer and a model that did not load", () => {
    const text = formatResult({
      ...result,
      modelLoadError: "ModelLoadError: cannot load model.pth: invalid load key",
      answer: {
        statusCode: 502,
        body: { error: "the model endpoint failed to classify the image", requestId: "r" },
      },
    });
    expect(text).toContain("The model did not load: ModelLoadError: cannot load model.pth: invalid load key");
    expect(text).toContain(
      'The function answered 502: {"error":"the model endpoint failed to classify the image","requestId":"r"}',
    );
  });
});

describe("the Python local mode uses", () => {
  it("is looked for in the same places as scripts/test-python.sh, in the same order", () => {
    const script = readFileSync(path.join(__dirname, "..", "scripts", "test-python.sh"), "utf8");
    expect(script).toContain('candidates+=("$PYTHON")');
    const fixed = /candidates\+=\(("[^)]*")\)/g;
    const listed = [...script.matchAll(fixed)].map((m) => m[1]).filter((s) => s !== '"$PYTHON"');
    expect(listed.flatMap((entry) => entry!.split(" ").map((word) => JSON.parse(word) as string))).toEqual(
      pythonCandidates({}),
    );
    expect(pythonCandidates({ PYTHON: "/opt/py/bin/python" })[0]).toBe("/opt/py/bin/python");
  });
});
