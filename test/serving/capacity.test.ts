/**
 * The measured capacity figure a stack names (ml-platform:endpoint.autoscaling.capacityFile):
 * the committed file's real numbers, every bad file or setting with the error it gives, and the
 * vCPU fit against the endpoint's instance type, through the stack program.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CapacityFile, capacityFileSchema } from "../../bench/capacity";
import { validateConfig } from "../../stacks/config";
import { PROJECT_DIR as STACK_PROJECT_DIR, readCapacityFile } from "../../stacks/capacity";
import { PROJECT_DIR, runStack } from "../harness";

const COMMITTED = "bench/capacity/resnet50-224-2vcpu.json";
const KEY = "ml-platform:endpoint.autoscaling.capacityFile";
const committed = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, COMMITTED), "utf8")) as CapacityFile;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "capacity-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A capacity file in the temporary folder: the committed one with `patch` applied (undefined deletes). */
function fileWith(name: string, patch: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(JSON.stringify(committed));
  patch(doc);
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [(err as Error).message];
  }
  throw new Error("expected an error");
};

describe("reading a capacity file", () => {
  it("resolves paths against the project directory, where Pulumi.yaml is", () => {
    expect(STACK_PROJECT_DIR).toBe(PROJECT_DIR);
    expect(fs.existsSync(path.join(STACK_PROJECT_DIR, "Pulumi.yaml"))).toBe(true);
  });

  it("gives the committed figure as the component takes it", () => {
    expect(readCapacityFile(COMMITTED)).toEqual({
      requestsPerSecondPerInstance: 2.75,
      vCpus: 2,
      latencyBoundMs: 1000,
      latencyPercentile: 99,
      source: COMMITTED,
      measuredAt: "2026-12-01T10:32:57.454Z",
    });
    expect(committed.sustainedRequestsPerSecond).toBe(2.75);
  });

  it("accepts every committed capacity file (what the bench writes, the stack reads)", () => {
    const files = fs
      .readdirSync(path.join(PROJECT_DIR, "bench", "capacity"))
      .filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) {
      const doc: CapacityFile = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "bench", "capacity", f), "utf8"),
      );
      expect(capacityFileSchema.safeParse(doc).success).toBe(true);
    }
  });

  it("names the key and the path of a file that does not exist", () => {
    expect(problemsOf(() => readCapacityFile("bench/capacity/resnet50-224-4vcpu.json"))).toEqual([
      `${KEY} names bench/capacity/resnet50-224-4vcpu.json, which does not exist (looked for ${path.join(PROJECT_DIR, "bench/capacity/resnet50-224-4vcpu.json")}; ` +
        "paths are relative to the project directory, where Pulumi.yaml is); measure one with npm run bench:serve " +
        "(it writes bench/capacity/<name>.json) or correct the path",
    ]);
  });

  it("names the file of text that is not JSON", () => {
    const file = path.join(dir, "truncated.json");
    fs.writeFileSync(file, '{ "formatVersion": 1, ');
    const [line] = problemsOf(() => readCapacityFile(file));
    expect(line).toMatch(new RegExp(`^${KEY} ${file}: is not a capacity file: .*JSON`));
  });

  it("names the file and every missing or malformed field", () => {
    const file = fileWith("bad.json", (doc) => {
      delete doc.sustainedRequestsPerSecond;
      doc.instance.vCpus = "two";
      doc.latencyBound.percentile = 95;
      doc.measuredAt = "yesterday";
    });
    expect(problemsOf(() => readCapacityFile(file))).toEqual([
      `${KEY} ${file}: sustainedRequestsPerSecond is required`,
      `${KEY} ${file}: latencyBound.percentile must be 50 or 99 (got 95)`,
      `${KEY} ${file}: instance.vCpus must be a whole number >= 1 (got "two")`,
      `${KEY} ${file}: measuredAt must be an ISO 8601 time such as 2026-12-01T10:32:57.454Z (got "yesterday")`,
    ]);
    const notAnObject = path.join(dir, "list.json");
    fs.writeFileSync(notAnObject, "[1, 2]");
    expect(problemsOf(() => readCapacityFile(notAnObject))[0]).toMatch(
      new RegExp(`^${KEY} ${notAnObject}: the file `),
    );
  });

  it("rejects a file of another format version", () => {
    const file = fileWith("v2.json", (doc) => {
      doc.formatVersion = 2;
    });
    expect(problemsOf(() => readCapacityFile(file))).toEqual([
      `${KEY} ${file}: formatVersion must be 1 (a file written by another version of npm run bench:serve: re-measure) (got 2)`,
    ]);
  });

  it("rejects a figure of 0 (no load level kept within the bound)", () => {
    const file = fileWith("none.json", (doc) => {
      doc.sustainedRequestsPerSecond = 0;
    });
    expect(problemsOf(() => readCapacityFile(file))).toEqual([
      `${KEY} ${file}: sustainedRequestsPerSecond is 0: no load level kept p99 within 1000 ms, so it gives no capacity; ` +
        "re-measure with a looser bound (BENCH_SERVE_LATENCY_BOUND_MS=<ms> npm run bench:serve) or set endpoint.autoscaling.targetInvocationsPerInstance",
    ]);
  });
});

describe("the stack config's capacityFile", () => {
  const endpoint = (autoscaling: Record<string, unknown>) => ({
    owner: "team",
    costCenter: "cc",
    endpoint: {
      mode: "instance",
      autoscaling: { enabled: true, minCapacity: 2, maxCapacity: 4, ...autoscaling },
    },
  });

  it("is one of the three ways to the target: with the peak rate or the target, an error naming both", () => {
    expect(
      problemsOf(() =>
        validateConfig(endpoint({ capacityFile: COMMITTED, peakRequestsPerSecondPerInstance: 0.5 })),
      ),
    ).toEqual([
      "ml-platform:endpoint.autoscaling.peakRequestsPerSecondPerInstance conflicts with endpoint.autoscaling.capacityFile; set exactly one of them (got 0.5)",
    ]);
    expect(
      problemsOf(() =>
        validateConfig(endpoint({ capacityFile: COMMITTED, targetInvocationsPerInstance: 80 })),
      ),
    ).toEqual([
      "ml-platform:endpoint.autoscaling.targetInvocationsPerInstance conflicts with endpoint.autoscaling.capacityFile; set exactly one of them (got 80)",
    ]);
    expect(problemsOf(() => validateConfig(endpoint({})))).toEqual([
      "ml-platform:endpoint.autoscaling needs endpoint.autoscaling.targetInvocationsPerInstance, endpoint.autoscaling.peakRequestsPerSecondPerInstance or endpoint.autoscaling.capacityFile (to derive the target)",
    ]);
    expect(problemsOf(() => validateConfig(endpoint({ capacityFile: "" })))).toEqual([
      'ml-platform:endpoint.autoscaling.capacityFile must be the path of a capacity file, such as bench/capacity/resnet50-224-2vcpu.json (got "")',
    ]);
    expect(
      validateConfig(endpoint({ capacityFile: COMMITTED, safetyFactor: 0.6 })).endpoint.autoscaling,
    ).toMatchObject({ capacityFile: COMMITTED, safetyFactor: 0.6 });
  });

  it("derives prod's target from the committed file: round(2.75 × 60 × 0.5) = 83", async () => {
    const run = await runStack("prod", {
      "ml-platform:model": { source: "url", url: "s3://b-models/m/model.tar.gz" },
    });
    const policy = run.one("aws:appautoscaling/policy:Policy");
    const expected = Math.round(committed.sustainedRequestsPerSecond * 60 * 0.5);
    expect(expected).toBe(83);
    expect((policy.inputs.targetTrackingScalingPolicyConfiguration as any).targetValue).toBe(expected);
    expect(run.one("ml-platform:serving:InferenceEndpoint").inputs.autoscalingTarget).toMatchObject({
      from: "capacity",
      capacity: { source: COMMITTED, vCpus: 2 },
      instanceType: "ml.m5.large",
      instanceVCpus: 2,
    });
  });

  it("stops the stack on a figure measured on other vCPUs than the instance type, naming both keys", async () => {
    await expect(
      runStack("prod", {
        "ml-platform:model": { source: "url", url: "s3://b-models/m/model.tar.gz" },
        "ml-platform:endpoint": { instanceType: "ml.c5.xlarge" },
      }),
    ).rejects.toThrow(
      "ml-platform:endpoint.autoscaling.capacityFile was measured on 2 vCPUs (bench/capacity/resnet50-224-2vcpu.json), " +
        "but endpoint.instanceType ml.c5.xlarge has 4; measure on a 4-vCPU machine (npm run bench:serve), " +
        "name a figure measured on 4 vCPUs, or choose an instance type with 2 vCPUs",
    );
  });

  it("stops the stack on a bad file, naming the key, the file and the field", async () => {
    const file = fileWith("stack-bad.json", (doc) => {
      delete doc.instance.vCpus;
    });
    await expect(
      runStack("prod", {
        "ml-platform:model": { source: "url", url: "s3://b-models/m/model.tar.gz" },
        "ml-platform:endpoint": { autoscaling: { capacityFile: file } },
      }),
    ).rejects.toThrow(`${KEY} ${file}: instance.vCpus is required`);
  });
});
