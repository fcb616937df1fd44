/**
 * resource-references-have-dependencies, directly: the identifier matching and creation order of
 * lib/physical-identifiers.ts and lib/resource-references.ts on hand-built stacks, and the policy's
 * validateStack with hand-built StackValidationArgs. The same races through the pack's real analyzer
 * server, and our own stacks, are in resource-references-pack.test.ts.
 */
import * as aws from "@pulumi/aws";
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { TYPE_RULES } from "../lib/physical-identifiers";
import { Unknown } from "../lib/props";
import {
  CreationOrder,
  ReferenceOptions,
  StackNode,
  referenceStrings,
  unorderedReferences,
} from "../lib/resource-references";
import {
  resourceReferencesDefaults,
  resourceReferencesHaveDependencies,
} from "../policies/resource-references";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  object: "aws:s3/bucketObjectv2:BucketObjectv2",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  alias: "aws:kms/alias:Alias",
  key: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  profile: "aws:iam/instanceProfile:InstanceProfile",
  instance: "aws:ec2/instance:Instance",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  fn: "aws:lambda/function:Function",
  endpoint: "aws:sagemaker/endpoint:Endpoint",
  model: "aws:sagemaker/model:Model",
  job: "aws:sagemaker/trainingJob:TrainingJob",
  notebook: "aws:sagemaker/notebookInstance:NotebookInstance",
  lifecycle: "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
  target: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  component: "ml-platform:storage:ArtifactStore",
} as const;

const BUCKET = "ml-platform-dev-artifacts-123456789012-us-east-1";
const ALIAS_ARN = "arn:aws:kms:us-east-1:123456789012:alias/ml-platform-dev-data";
const urn = (name: string) => `urn:pulumi:dev::ml-platform::test::${name}`;

interface Spec {
  type: string;
  name: string;
  props?: Record<string, unknown>;
  dependsOn?: string[];
  propertyDependencies?: Record<string, string[]>;
  parent?: string;
  custom?: boolean;
  region?: string;
}

/** Nodes by logical name; `dependsOn`, `propertyDependencies` and `parent` name other specs. */
function stack(...specs: Spec[]): StackNode[] {
  return specs.map((s) => ({
    urn: urn(s.name),
    type: s.type,
    name: s.name,
    props: s.props ?? {},
    parent: s.parent ? urn(s.parent) : undefined,
    dependencies: (s.dependsOn ?? []).map(urn),
    propertyDependencies: Object.fromEntries(
      Object.entries(s.propertyDependencies ?? {}).map(([k, v]) => [k, v.map(urn)]),
    ),
    custom: s.custom ?? true,
    region: s.region ?? "us-east-1",
  }));
}

const OPTIONS: ReferenceOptions = {
  ignoreProperties: resourceReferencesDefaults.ignoreProperties,
  accountIds: [],
};

/** Findings as `referrer -> target: paths`. */
function findings(nodes: StackNode[], options: Partial<ReferenceOptions> = {}): string[] {
  return unorderedReferences(nodes, { ...OPTIONS, ...options }).map(
    (f) => `${f.referrer.name} -> ${f.targets.map((t) => t.name).join("|")}: ${f.paths.join(", ")}`,
  );
}

const bucket = (name = "artifacts", extra: Partial<Spec> = {}): Spec => ({
  type: T.bucket,
  name,
  props: { bucket: name === "artifacts" ? BUCKET : name },
  ...extra,
});
const code = (extra: Partial<Spec> = {}): Spec => ({
  type: T.object,
  name: "training-code",
  props: { bucket: BUCKET, key: "code/8d63/sourcedir.tar.gz", kmsKeyId: ALIAS_ARN },
  ...extra,
});
const alias: Spec = { type: T.alias, name: "platform-key", props: { name: "alias/ml-platform-dev-data" } };

describe("seeded races: a literal reference with and without a dependency", () => {
  test("the code upload names its bucket and the KMS alias by literal and depends on neither: two findings", () => {
    expect(findings(stack(bucket(), alias, code()))).toEqual([
      "training-code -> artifacts: bucket",
      "training-code -> platform-key: kmsKeyId",
    ]);
  });

  test("the same with dependsOn both: clean", () => {
    expect(findings(stack(bucket(), alias, code({ dependsOn: ["artifacts", "platform-key"] })))).toEqual([]);
  });

  test("a reference through propertyDependencies only (no `dependencies` entry): clean", () => {
    const nodes = stack(
      bucket(),
      alias,
      code({ propertyDependencies: { bucket: ["artifacts"], kmsKeyId: ["platform-key"] } }),
    );
    expect(nodes[2].dependencies).toEqual([]);
    expect(findings(nodes)).toEqual([]);
  });

  test("a transitive dependency orders the pair: clean", () => {
    const nodes = stack(
      bucket(),
      alias,
      { type: T.pab, name: "artifacts-pab", props: { bucket: BUCKET }, dependsOn: ["artifacts"] },
      code({ dependsOn: ["artifacts-pab"], propertyDependencies: { kmsKeyId: ["platform-key"] } }),
    );
    expect(findings(nodes)).toEqual([]);
  });

  test("a dependency on a component stands for the custom resources below it", () => {
    const nodes = stack(
      { type: T.component, name: "store", custom: false },
      bucket("artifacts", { parent: "store" }),
      alias,
      code({ dependsOn: ["store", "platform-key"] }),
    );
    expect(findings(nodes)).toEqual([]);
  });

  test("siblings in one component are not ordered; a parent's own dependencies are", () => {
    const siblings = stack(
      { type: T.component, name: "store", custom: false },
      bucket("artifacts", { parent: "store" }),
      code({ parent: "store", props: { bucket: BUCKET, key: "k" } }),
    );
    expect(findings(siblings)).toEqual(["training-code -> artifacts: bucket"]);
    const afterParent = stack(
      bucket(),
      { type: T.component, name: "bundle", custom: false, dependsOn: ["artifacts"] },
      code({ parent: "bundle", props: { bucket: BUCKET, key: "k" } }),
    );
    expect(findings(afterParent)).toEqual([]);
  });

  test("a child refers to its custom parent: the SDK registers it after the parent, clean", () => {
    const nodes = stack(bucket(), code({ parent: "artifacts", props: { bucket: BUCKET, key: "k" } }));
    expect(findings(nodes)).toEqual([]);
  });

  test("a reference to a resource that already depends on the referrer is a fixed order, not a race", () => {
    const logGroupArn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn";
    const nodes = stack(
      {
        type: T.key,
        name: "key",
        props: {
          policy: JSON.stringify({
            Statement: [{ Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } } }],
          }),
        },
      },
      {
        type: T.logGroup,
        name: "logs",
        props: { name: "/aws/lambda/fn" },
        propertyDependencies: { kmsKeyId: ["key"] },
      },
    );
    expect(findings(nodes)).toEqual([]);
    expect(new CreationOrder(nodes).ordered(urn("key"), urn("logs"))).toBe(true);
  });

  test("an S3 URI needs both the bucket and the object at that key", () => {
    const job = (extra: Partial<Spec>): Spec => ({
      type: T.job,
      name: "job",
      props: {
        trainingJobName: "ml-platform-dev-train-1",
        inputDataConfigs: [
          { dataSource: { s3DataSource: { s3Uri: `s3://${BUCKET}/code/8d63/sourcedir.tar.gz` } } },
        ],
      },
      ...extra,
    });
    const uploadedFirst = code({ props: { bucket: BUCKET, key: "code/8d63/sourcedir.tar.gz" } });
    expect(findings(stack(bucket(), uploadedFirst, job({})))).toEqual([
      "training-code -> artifacts: bucket",
      "job -> artifacts: inputDataConfigs[0].dataSource.s3DataSource.s3Uri",
      "job -> training-code: inputDataConfigs[0].dataSource.s3DataSource.s3Uri",
    ]);
    // Depending on the object is enough once the object depends on the bucket.
    const ordered = stack(
      bucket(),
      { ...uploadedFirst, dependsOn: ["artifacts"] },
      job({ dependsOn: ["training-code"] }),
    );
    expect(findings(ordered)).toEqual([]);
  });
});

describe("what counts as a reference", () => {
  test("whole values and tokens only: a name that merely contains another name is not a reference", () => {
    const nodes = stack(
      { type: T.notebook, name: "nb", props: { name: "ml-platform-dev-notebook" } },
      { type: T.lifecycle, name: "idle", props: { name: "ml-platform-dev-notebook-idle-stop" } },
      bucket("ml-data"),
      {
        type: T.rolePolicy,
        name: "unrelated",
        props: {
          role: "ml-platform-dev-notebook-idle-stop-role",
          policy: JSON.stringify({ Statement: [{ Resource: "arn:aws:s3:::ml-data-archive/*" }] }),
          note: "copies from ml-data-archive and ml-platform-dev-notebooks",
        },
      },
    );
    expect(findings(nodes)).toEqual([]);
  });

  test("a token of a script is a reference; tags and descriptions are free text, not references", () => {
    const script = `#!/bin/bash\nreadonly BUCKET='ml-data'\naws s3 sync "s3://$BUCKET/datasets/" /data\n`;
    const nodes = stack(bucket("ml-data"), {
      type: T.instance,
      name: "trainer",
      props: {
        userDataBase64: Buffer.from(script).toString("base64"),
        tags: { Name: "ml-data" },
        rootBlockDevice: { description: "ml-data" },
      },
    });
    expect(findings(nodes)).toEqual(["trainer -> ml-data: userDataBase64"]);
    expect(findings(nodes, { ignoreProperties: [...OPTIONS.ignoreProperties, "userDataBase64"] })).toEqual(
      [],
    );
  });

  test("JSON documents are read value by value, and the path says where", () => {
    const policy = {
      Statement: [
        { Effect: "Allow", Action: "s3:ListBucket", Resource: [`arn:aws:s3:::${BUCKET}`] },
        { Effect: "Allow", Action: "s3:GetObject", Resource: [`arn:aws:s3:::${BUCKET}/datasets/*`] },
        {
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "*",
          Condition: { StringEquals: { "kms:ResourceAliases": "alias/ml-platform-dev-data" } },
        },
      ],
    };
    const nodes = stack(bucket(), alias, {
      type: T.rolePolicy,
      name: "p",
      props: { role: "r", policy: JSON.stringify(policy) },
    });
    expect(findings(nodes)).toEqual([
      "p -> artifacts: policy.Statement[0].Resource[0], policy.Statement[1].Resource[0]",
      "p -> platform-key: policy.Statement[2].Condition.StringEquals.kms:ResourceAliases",
    ]);
  });

  test("bucket ARNs with paths name the bucket; a wildcard in the bucket name names nothing", () => {
    const refer = (resource: string) =>
      findings(
        stack(bucket(), {
          type: T.rolePolicy,
          name: "p",
          props: { policy: JSON.stringify({ Statement: [{ Resource: resource }] }) },
        }),
      );
    expect(refer(`arn:aws:s3:::${BUCKET}/models/*/output/model.tar.gz`)).toEqual([
      "p -> artifacts: policy.Statement[0].Resource",
    ]);
    expect(refer("arn:aws:s3:::ml-platform-dev-*")).toEqual([]);
    expect(refer(`arn:aws-us-gov:s3:::${BUCKET}`)).toEqual(["p -> artifacts: policy.Statement[0].Resource"]);
  });

  test("ARNs with region and account wildcards name the resource; another region does not", () => {
    const logs: Spec = { type: T.logGroup, name: "fn-logs", props: { name: "/aws/lambda/fn" } };
    const ep: Spec = { type: T.endpoint, name: "ep", props: { name: "ML-Platform-Dev-Endpoint" } };
    const refer = (...arns: string[]) =>
      findings(
        stack(logs, ep, {
          type: T.rolePolicy,
          name: "p",
          props: { policy: JSON.stringify({ Statement: [{ Resource: arns }] }) },
        }),
      );
    expect(refer("arn:aws:logs:*:*:log-group:/aws/lambda/fn:*")).toEqual([
      "p -> fn-logs: policy.Statement[0].Resource[0]",
    ]);
    expect(refer("arn:aws:logs:us-*:123456789012:log-group:/aws/lambda/fn:log-stream:*")).toEqual([
      "p -> fn-logs: policy.Statement[0].Resource[0]",
    ]);
    expect(refer("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn")).toEqual([]);
    expect(refer("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*")).toEqual([]);
    // SageMaker names are case-insensitive (its ARNs are lower case).
    expect(refer("arn:aws:sagemaker:*:*:endpoint/ml-platform-dev-endpoint")).toEqual([
      "p -> ep: policy.Statement[0].Resource[0]",
    ]);
  });

  test("accountIds limits which accounts' ARNs name this stack's resources", () => {
    const nodes = stack(
      { type: T.role, name: "role", props: { name: "trainer" } },
      {
        type: T.rolePolicy,
        name: "p",
        props: {
          policy: JSON.stringify({ Statement: [{ Resource: "arn:aws:iam::999999999999:role/trainer" }] }),
        },
      },
    );
    expect(findings(nodes)).toEqual(["p -> role: policy.Statement[0].Resource"]);
    expect(findings(nodes, { accountIds: ["123456789012"] })).toEqual([]);
  });

  test("a role ARN includes the role's path", () => {
    const nodes = stack(
      { type: T.role, name: "role", props: { name: "trainer", path: "/ml/" } },
      {
        type: T.notebook,
        name: "nb",
        props: { name: "nb", roleArn: "arn:aws:iam::123456789012:role/ml/trainer" },
      },
      {
        type: T.notebook,
        name: "nb2",
        props: { name: "nb2", roleArn: "arn:aws:iam::123456789012:role/trainer" },
      },
    );
    expect(findings(nodes)).toEqual(["nb -> role: roleArn"]);
  });

  test("a bare name shared by two resources means the one the property names", () => {
    const nodes = stack(
      { type: T.role, name: "endpoint-role", props: { name: "ml-platform-dev-endpoint" } },
      { type: T.endpoint, name: "endpoint", props: { name: "ml-platform-dev-endpoint" } },
      {
        type: T.fn,
        name: "fn",
        props: { name: "fn", environment: { variables: { ENDPOINT_NAME: "ml-platform-dev-endpoint" } } },
      },
      { type: T.role, name: "trainer-role", props: { name: "trainer" } },
      {
        type: T.profile,
        name: "trainer-profile",
        props: { name: "trainer", role: "trainer" },
        dependsOn: ["trainer-role"],
      },
      {
        type: T.instance,
        name: "trainer",
        props: { iamInstanceProfile: "trainer" },
        dependsOn: ["trainer-profile"],
      },
    );
    expect(findings(nodes)).toEqual(["fn -> endpoint: environment.variables.ENDPOINT_NAME"]);
  });

  test("a training job's output prefix is the job's; an autoscaling resource id names the endpoint and the target", () => {
    const nodes = stack(
      bucket(),
      {
        type: T.job,
        name: "job",
        props: { trainingJobName: "train-1", outputDataConfig: { s3OutputPath: `s3://${BUCKET}/models` } },
        dependsOn: ["artifacts"],
      },
      {
        type: T.model,
        name: "model",
        props: { primaryContainer: { modelDataUrl: `s3://${BUCKET}/models/train-1/output/model.tar.gz` } },
        dependsOn: ["artifacts"],
      },
      { type: T.endpoint, name: "ep", props: { name: "ep-1" } },
      { type: T.target, name: "target", props: { resourceId: "endpoint/ep-1/variant/AllTraffic" } },
      {
        type: T.scalingPolicy,
        name: "policy",
        props: { resourceId: "endpoint/ep-1/variant/AllTraffic" },
        dependsOn: ["ep"],
      },
    );
    expect(findings(nodes)).toEqual([
      "model -> job: primaryContainer.modelDataUrl",
      "target -> ep: resourceId",
      "policy -> target: resourceId",
    ]);
  });

  test("known ids and ARN outputs identify any resource; unknown values identify nothing", () => {
    const nodes = stack(
      {
        type: T.sg,
        name: "sg",
        props: { id: "sg-0123456789abcdef0", name: new Unknown(new Error("unknown")) },
      },
      {
        type: "aws:sns/topic:Topic",
        name: "topic",
        props: { arn: "arn:aws:sns:us-east-1:123456789012:alerts" },
      },
      {
        type: T.instance,
        name: "vm",
        props: {
          vpcSecurityGroupIds: ["sg-0123456789abcdef0", new Unknown(new Error("unknown"))],
          userData: "notify arn:aws:sns:us-east-1:123456789012:alerts",
          subnetId: new Unknown(new Error("unknown")),
        },
      },
    );
    expect(findings(nodes)).toEqual(["vm -> sg: vpcSecurityGroupIds[0]", "vm -> topic: userData"]);
  });

  test("a resource's own names are not references to itself or to its namesakes", () => {
    const nodes = stack(
      {
        type: T.role,
        name: "nb-role",
        props: { name: "ml-platform-dev-notebook", description: "role of ml-platform-dev-notebook" },
      },
      {
        type: T.notebook,
        name: "nb",
        props: {
          name: "ml-platform-dev-notebook",
          arn: "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-platform-dev-notebook",
        },
      },
    );
    expect(findings(nodes)).toEqual([]);
  });

  test("components, providers and the stack are not referrers", () => {
    const nodes = stack(bucket(), {
      type: T.component,
      name: "store",
      custom: false,
      props: { bucketName: BUCKET },
    });
    expect(findings(nodes)).toEqual([]);
  });

  test("exempt referrers are not reported", () => {
    const nodes = stack(bucket(), code({ props: { bucket: BUCKET, key: "k" } }));
    expect(findings(nodes, { isExempt: (n) => n.name === "training-code" })).toEqual([]);
  });
});

describe("reading strings out of inputs", () => {
  test("JSON-quoted values, arrays, nested objects and assets", () => {
    const asset = { __pulumiAsset: true, text: `s3://${BUCKET}/x` };
    expect(
      referenceStrings(
        { hyperParameters: { program: '"train.py"' }, list: ["a", { b: "c d" }], code: asset, n: 3 },
        new Set(),
      ),
    ).toEqual([
      { path: "hyperParameters.program", value: "train.py" },
      { path: "list[0]", value: "a" },
      { path: "list[1].b", value: "c" },
      { path: "list[1].b", value: "d" },
    ]);
  });

  test("base64 that is not text stays as it is", () => {
    const binary = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]).toString("base64");
    expect(referenceStrings({ userDataBase64: binary }, new Set())).toEqual([
      { path: "userDataBase64", value: binary },
    ]);
  });

  test("malformed JSON is read as text, never thrown", () => {
    expect(
      referenceStrings({ policy: '{"Statement": [ arn:aws:s3:::b' }, new Set()).map((s) => s.value),
    ).toEqual(["Statement", "arn:aws:s3:::b"]);
  });
});

describe("the policy's validateStack, called directly", () => {
  function resource(type: string, name: string, props: Record<string, unknown>): PolicyResource {
    return {
      type,
      name,
      urn: urn(name),
      props,
      opts: {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      },
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    } as unknown as PolicyResource;
  }

  function run(resources: PolicyResource[], config: Record<string, unknown> = {}) {
    const reports: { message: string; urn?: string }[] = [];
    const args = {
      resources,
      getConfig: () => config,
      notApplicable: (reason?: string) => {
        throw new Error(`not applicable: ${reason}`);
      },
      stackTags: new Map(),
    } as unknown as StackValidationArgs;
    resourceReferencesHaveDependencies.validateStack(args, (message, u) => reports.push({ message, urn: u }));
    return reports;
  }

  test("names the referrer, the property path, the resource referred to and the fix", () => {
    const b = resource(T.bucket, "artifacts", { bucket: BUCKET });
    const o = resource(T.object, "training-code", { bucket: BUCKET, key: "code/x.tar.gz" });
    const reports = run([b, o]);
    expect(reports).toEqual([
      {
        urn: urn("training-code"),
        message:
          `S3 object "training-code" refers to S3 bucket "artifacts" by the literal "${BUCKET}" in bucket, with no dependency on it, direct or transitive, ` +
          `so the engine may create "training-code" before "artifacts" exists. Fix: add dependsOn: [artifacts] to "training-code", ` +
          "or pass the resource's output (e.g. bucket.bucket) instead of the literal.",
      },
    ]);
    // With the dependency the engine gets from `dependsOn`, nothing to report.
    (o as { dependencies: PolicyResource[] }).dependencies = [b];
    expect(run([b, o])).toEqual([]);
    expect(
      run([b, { ...o, dependencies: [] } as PolicyResource], { exemptResources: ["training-code"] }),
    ).toEqual([]);
  });

  test("a literal ARN gets the ARN output as the alternative fix; long path lists are shortened", () => {
    const b = resource(T.bucket, "artifacts", { bucket: BUCKET });
    const statements = [0, 1, 2, 3, 4].map((i) => ({ Resource: `arn:aws:s3:::${BUCKET}/p${i}/*` }));
    const p = resource(T.rolePolicy, "p", { policy: JSON.stringify({ Statement: statements }) });
    const [report] = run([b, p]);
    expect(report.message).toContain(
      "in policy.Statement[0].Resource, policy.Statement[1].Resource, policy.Statement[2].Resource and 2 more,",
    );
    expect(report.message).toMatch(
      /^RolePolicy "p" refers to S3 bucket "artifacts" by the literal "arn:aws:s3:::/,
    );
    expect(report.message).toContain("(e.g. bucket.arn)");
  });
});

/** Every resource type token of the installed @pulumi/aws. */
function awsTypeTokens(): Set<string> {
  const tokens = new Set<string>();
  for (const mod of Object.values(aws as unknown as Record<string, unknown>)) {
    if (mod && typeof mod === "object") {
      for (const cls of Object.values(mod as Record<string, unknown>)) {
        const t = (cls as { __pulumiType?: unknown } | undefined)?.__pulumiType;
        if (typeof t === "string") tokens.add(t);
      }
    }
  }
  return tokens;
}

test("every type the identifier table knows is a @pulumi/aws resource type", () => {
  const tokens = awsTypeTokens();
  expect(Object.keys(TYPE_RULES).filter((t) => !tokens.has(t))).toEqual([]);
});
