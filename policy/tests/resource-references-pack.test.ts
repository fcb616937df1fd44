/**
 * resource-references-have-dependencies through the pack's real analyzer server, started as the
 * Pulumi CLI starts it (cli/plan/pack-process.ts) and spoken to with the plan's analyzer client
 * (cli/plan/analyzer-client.ts), which sends `dependencies`, `propertyDependencies`, `parent` and the
 * provider separately, as the engine does (pkg/resource/plugin/analyzer_plugin.go AnalyzeStack).
 * Then our own dev and prod programs, run under mocks as a first preview, with the same data.
 */
import * as fs from "fs";
import * as path from "path";
import {
  AnalyzerClient,
  AnalyzerInfo,
  Diagnostic,
  EnforcementLevel,
  PolicyConfig,
} from "../../cli/plan/analyzer-client";
import { PackProcess, readPackProject, startPack } from "../../cli/plan/pack-process";
import { PlannedResource, planResources } from "../../cli/plan/resources";
import { runStack, stackConfig, StackRun } from "../../test/harness";
import { PACK_DIR } from "./util";

const POLICY = "resource-references-have-dependencies";
const BUCKET = "ml-platform-dev-artifacts-123456789012-us-east-1";
const ALIAS_ARN = "arn:aws:kms:us-east-1:123456789012:alias/ml-platform-dev-data";
const PROVIDER = "urn:pulumi:dev::ml-platform::pulumi:providers:aws::default_7_48_0";

let pack: PackProcess;
let client: AnalyzerClient;
let info: AnalyzerInfo;

beforeAll(async () => {
  pack = await startPack(readPackProject(PACK_DIR), {
    project: "ml-platform",
    stack: "dev",
    organization: "organization",
    config: {},
    secretKeys: [],
    env: {},
    timeoutMs: 90_000,
  }).ready;
  client = new AnalyzerClient(`127.0.0.1:${pack.port}`);
  info = await client.info();
}, 120_000);
afterAll(() => {
  client?.close();
  pack?.stop();
});

/** Configure as the engine does: every policy, its schema defaults, then the file's entries. */
async function configure(file?: string): Promise<void> {
  const entries = file ? JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", file), "utf8")) : {};
  const config: Record<string, PolicyConfig> = {};
  for (const p of info.policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
      if ("default" in s) properties[k] = s.default;
    }
    const given = entries[p.name];
    const { enforcementLevel, ...props } =
      typeof given === "string" ? { enforcementLevel: given } : (given ?? {});
    config[p.name] = {
      enforcementLevel: (enforcementLevel as EnforcementLevel) ?? p.enforcementLevel,
      properties: { ...properties, ...props },
    };
  }
  await client.configure(config);
}

const urnOf = (type: string, name: string) => `urn:pulumi:dev::ml-platform::${type}::${name}`;

interface Spec {
  type: string;
  name: string;
  props: Record<string, unknown>;
  dependsOn?: string[];
  propertyDependencies?: Record<string, string[]>;
}

/** Planned resources with the default provider (us-east-1); dependencies name other specs. */
function planned(specs: Spec[]): { resources: PlannedResource[]; providers: Map<string, PlannedResource> } {
  const byName = new Map(specs.map((s) => [s.name, urnOf(s.type, s.name)]));
  const ref = (n: string) => byName.get(n) ?? n;
  const options = {
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: "", update: "", delete: "" },
  };
  const provider: PlannedResource = {
    urn: PROVIDER,
    type: "pulumi:providers:aws",
    name: "default_7_48_0",
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    properties: { region: "us-east-1" },
    options,
  };
  const resources = specs.map((s) => ({
    urn: urnOf(s.type, s.name),
    type: s.type,
    name: s.name,
    custom: true,
    dependencies: (s.dependsOn ?? []).map(ref),
    propertyDependencies: Object.fromEntries(
      Object.entries(s.propertyDependencies ?? {}).map(([k, v]) => [k, v.map(ref)]),
    ),
    properties: s.props,
    options,
    providerUrn: PROVIDER,
  }));
  return { resources: [provider, ...resources], providers: new Map([[PROVIDER, provider]]) };
}

async function analyzeStack(specs: Spec[]): Promise<Diagnostic[]> {
  const { resources, providers } = planned(specs);
  return (await client.analyzeStack(resources, providers)).filter((d) => d.policyName === POLICY);
}

const bucket: Spec = { type: "aws:s3/bucket:Bucket", name: "artifacts", props: { bucket: BUCKET } };
const alias: Spec = {
  type: "aws:kms/alias:Alias",
  name: "platform-key",
  props: { name: "alias/ml-platform-dev-data", targetKeyId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" },
};
const upload = (extra: Partial<Spec> = {}): Spec => ({
  type: "aws:s3/bucketObjectv2:BucketObjectv2",
  name: "training-code",
  props: { bucket: BUCKET, key: "code/8d63/sourcedir.tar.gz", kmsKeyId: ALIAS_ARN },
  ...extra,
});

test("GetAnalyzerInfo: a stack policy, advisory by default, with its config schema and defaults", () => {
  const p = info.policies.find((x) => x.name === POLICY);
  expect(p).toMatchObject({ kind: "stack", enforcementLevel: "advisory", severity: "medium" });
  expect(p?.description).toMatch(/must depend on it/);
  expect(p?.configSchema?.properties).toMatchObject({
    ignoreProperties: { default: ["tags", "tagsAll", "description"] },
    accountIds: { default: [] },
    exemptResources: { default: [] },
  });
});

describe("seeded races, as a preview hands them over", () => {
  beforeAll(() => configure());

  test("the code upload names its bucket and KMS alias by literal with no dependency: one finding each", async () => {
    const d = await analyzeStack([bucket, alias, upload()]);
    expect(d.map((x) => [x.urn, x.enforcementLevel])).toEqual([
      [urnOf(upload().type, "training-code"), "advisory"],
      [urnOf(upload().type, "training-code"), "advisory"],
    ]);
    // The analyzer puts the policy's description on the first line of every message.
    expect(d[0].message.split("\n")).toEqual([
      info.policies.find((p) => p.name === POLICY)?.description,
      `S3 object "training-code" refers to S3 bucket "artifacts" by the literal "${BUCKET}" in bucket, with no dependency on it, ` +
        `direct or transitive, so the engine may create "training-code" before "artifacts" exists. ` +
        `Fix: add dependsOn: [artifacts] to "training-code", or pass the resource's output (e.g. bucket.bucket) instead of the literal.`,
    ]);
    expect(d[1].message).toContain(
      `refers to KMS alias "platform-key" by the literal "${ALIAS_ARN}" in kmsKeyId`,
    );
  });

  test("with dependsOn: clean", async () => {
    expect(await analyzeStack([bucket, alias, upload({ dependsOn: ["artifacts", "platform-key"] })])).toEqual(
      [],
    );
  });

  test("through propertyDependencies only, `dependencies` empty: clean", async () => {
    const d = await analyzeStack([
      bucket,
      alias,
      upload({ propertyDependencies: { bucket: ["artifacts"], kmsKeyId: ["platform-key"] } }),
    ]);
    expect(d).toEqual([]);
  });

  test("transitively, through the alias's dependency on the key and the object's on the bucket's settings", async () => {
    const key: Spec = { type: "aws:kms/key:Key", name: "key", props: {} };
    const versioning: Spec = {
      type: "aws:s3/bucketVersioning:BucketVersioning",
      name: "artifacts-versioning",
      props: { bucket: BUCKET },
      propertyDependencies: { bucket: ["artifacts"] },
    };
    const d = await analyzeStack([
      bucket,
      key,
      { ...alias, propertyDependencies: { targetKeyId: ["key"] } },
      versioning,
      upload({ dependsOn: ["artifacts-versioning", "platform-key"] }),
    ]);
    expect(d).toEqual([]);
  });

  test("ARNs with region and account wildcards name the resource; a name inside another name does not", async () => {
    const logs: Spec = {
      type: "aws:cloudwatch/logGroup:LogGroup",
      name: "fn-logs",
      props: { name: "/aws/lambda/ml-platform-dev-inference" },
    };
    const policy: Spec = {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: "fn-policy",
      props: {
        role: "ml-platform-dev-inference",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: "logs:PutLogEvents",
              Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/ml-platform-dev-inference:*",
            },
            {
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::ml-platform-dev-artifacts-123456789012-us-east-1-archive/*",
            },
          ],
        }),
      },
    };
    const d = await analyzeStack([bucket, logs, policy]);
    expect(d.map((x) => x.message.split("\n")[1].split(" by the literal")[0])).toEqual([
      'RolePolicy "fn-policy" refers to CloudWatch log group "fn-logs"',
    ]);
    expect(d[0].message).toContain("in policy.Statement[0].Resource,");
  });

  test("exemptResources takes Pulumi names", async () => {
    await client.configure({
      ...Object.fromEntries(
        info.policies.map((p) => [p.name, { enforcementLevel: p.enforcementLevel, properties: {} }]),
      ),
      [POLICY]: { enforcementLevel: "advisory", properties: { exemptResources: ["training-code"] } },
    });
    expect(await analyzeStack([bucket, alias, upload()])).toEqual([]);
    await configure();
  });
});

test("a config of the wrong shape (which the CLI's schema check would refuse) is an error naming it", async () => {
  const config = Object.fromEntries(
    info.policies.map((p) => [
      p.name,
      { enforcementLevel: p.enforcementLevel, properties: {} } as PolicyConfig,
    ]),
  );
  config[POLICY] = { enforcementLevel: "advisory", properties: { ignoreProperties: "tags" } };
  await client.configure(config);
  const { resources, providers } = planned([bucket, upload()]);
  await expect(client.analyzeStack(resources, providers)).rejects.toThrow(
    `policy config ${POLICY}.ignoreProperties must be a list of strings (got "tags")`,
  );
  await configure();
});

/**
 * Our stacks, with every dependency the program declares: no reference the engine does not order
 * (issue 10 item 1), so the policy is mandatory in config/dev.json and config/prod.json. Also the
 * variants that declare more: every optional feature on, an existing key named by alias, and the
 * stack after training (the endpoint serves the artifact from the store, the job is not declared).
 */
const EVERY_FEATURE = {
  "ml-platform:ec2Trainer": {
    enabled: true,
    mode: "gpu",
    instanceType: "g4dn.xlarge",
    sshCidr: "203.0.113.7/32",
  },
  "ml-platform:inferenceFunction": { functionUrl: true, provisionedConcurrency: 2 },
};

async function findings(stack: string, run: StackRun, configFile: string): Promise<Diagnostic[]> {
  await configure(configFile);
  const resources = planResources(run.resources, {
    project: "ml-platform",
    stack,
    config: stackConfig(stack),
    secretKeys: [],
  });
  const providers = new Map(
    resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]),
  );
  const found = (await client.analyzeStack(resources, providers)).filter((d) => d.policyName === POLICY);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return found.map((d) => ({ ...d, message: `${byUrn.get(d.urn)?.name}: ${d.message.split("\n")[1]}` }));
}

test("the policy is mandatory in both of our configs", () => {
  for (const stack of ["dev", "prod"])
    expect(JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8"))[POLICY]).toBe(
      "mandatory",
    );
});

describe("our stacks have no reference without a dependency", () => {
  test.each([
    ["dev", {}],
    ["prod", {}],
    ["prod", EVERY_FEATURE],
    [
      "dev",
      {
        "ml-platform:kms": {
          mode: "existing",
          keyArn: "arn:aws:kms:us-east-1:123456789012:alias/team-data",
          deletionWindowDays: undefined,
        },
      },
    ],
  ])(
    "%s with %j",
    async (stack, overrides) => {
      const run = await runStack(stack, overrides as Record<string, unknown>);
      if (overrides === EVERY_FEATURE) {
        // The variant does declare what it switches on.
        for (const type of [
          "aws:ec2/instance:Instance",
          "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
          "aws:lambda/functionUrl:FunctionUrl",
          "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
          "aws:appautoscaling/policy:Policy",
        ])
          expect(run.ofType(type)).toHaveLength(1);
        expect(
          run.one("aws:sagemaker/endpointConfiguration:EndpointConfiguration").inputs.dataCaptureConfig,
        ).toBeDefined();
      }
      expect((await findings(stack, run, `${stack}.json`)).map((d) => d.message)).toEqual([]);
    },
    60_000,
  );

  test("prod after training: the endpoint serves the artifact from the store, no job is declared", async () => {
    const before = await runStack("prod");
    const job = before.outputs?.trainingJobName as string;
    const keys = [
      "datasets/dog-images/train/001.Affenpinscher/a.jpg",
      "datasets/dog-images/valid/001.Affenpinscher/b.jpg",
      "datasets/dog-images/test/001.Affenpinscher/c.jpg",
      "weights/resnet50-11ad3fa6.pth",
      `models/${job}/output/model.tar.gz`,
    ];
    const after = await runStack("prod", {}, { s3: { kind: "objects", keys } });
    expect(after.ofType("aws:sagemaker/trainingJob:TrainingJob")).toEqual([]);
    expect(after.one("aws:sagemaker/model:Model").inputs.primaryContainer).toMatchObject({
      modelDataUrl: `s3://ml-platform-prod-artifacts-123456789012-us-east-1/models/${job}/output/model.tar.gz`,
    });
    expect((await findings("prod", after, "prod.json")).map((d) => d.message)).toEqual([]);
  }, 60_000);
});

test("a seeded race in our own program is found at the configured level (mandatory)", async () => {
  // Our dev stack with the code upload's dependencies removed, as the program had them before.
  const run = await runStack("dev");
  const upload = run.one("aws:s3/bucketObjectv2:BucketObjectv2", "training-code");
  const seeded = {
    ...run,
    resources: run.resources.map((r) =>
      r.urn === upload.urn ? { ...r, parent: undefined, dependencies: [], propertyDependencies: {} } : r,
    ),
  };
  const found = await findings("dev", seeded, "dev.json");
  // The bucket by its known name; the key is named by its ARN output, which carries its dependency.
  expect(found.map((d) => [d.enforcementLevel, d.message.split(" by the literal")[0]])).toEqual([
    ["mandatory", 'training-code: S3 object "training-code" refers to S3 bucket "artifacts"'],
  ]);
}, 60_000);
