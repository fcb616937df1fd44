import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { notebookOnStartScript } from "../../components/notebook";
import { subnetCidrs } from "../../components/network";
import { fitName } from "../../components/shared/naming";
import { jsonInput, runStack, StackRun, UNKNOWN, unknownPaths } from "../harness";

const BUCKET = (stack: string) => `ml-platform-${stack}-artifacts-123456789012-us-east-1`;

const runs: Record<string, StackRun> = {};
beforeAll(async () => {
  runs.dev = await runStack("dev");
  runs.prod = await runStack("prod");
});

describe.each(["dev", "prod"])("artifact store (%s)", (stack) => {
  it("encrypts with the stack's KMS key and a bucket key", () => {
    const sse = runs[stack].one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    expect(sse.inputs.bucket).toBe(BUCKET(stack));
    expect(sse.inputs.rules).toEqual([
      {
        // The key's ARN (unknown at preview; S3 recommends the key ARN here, docs/kms.md).
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("blocks all public access and enforces bucket-owner ownership", () => {
    const pab = runs[stack].one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(pab.inputs).toMatchObject({
      bucket: BUCKET(stack),
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(runs[stack].one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
  });

  it("versions objects and expires old versions per config", () => {
    expect(
      runs[stack].one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    const rules = runs[stack].one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
      .rules as any[];
    expect(rules.find((r) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration).toEqual({
      noncurrentDays: stack === "dev" ? 7 : 90,
    });
  });

  it("denies every request without TLS 1.2+", () => {
    const policy = jsonInput(runs[stack].one("aws:s3/bucketPolicy:BucketPolicy"), "policy");
    const arn = `arn:aws:s3:::${BUCKET(stack)}`;
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
      expect.objectContaining({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } }),
    ]);
  });

  it("keeps a dev bucket destroyable and a prod bucket protected from destroy", () => {
    expect(runs[stack].one("aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(stack === "dev");
  });
});

describe.each(["dev", "prod"])("notebook instance (%s)", (stack) => {
  const nb = () => runs[stack].one("aws:sagemaker/notebookInstance:NotebookInstance");

  it("disables root access and direct internet access, in a VPC subnet, with KMS and IMDSv2", () => {
    expect(nb().inputs).toMatchObject({
      name: `ml-platform-${stack}-notebook`,
      rootAccess: "Disabled",
      directInternetAccess: "Disabled",
      // CreateNotebookInstance documents only a key ARN (docs/kms.md): the key's output.
      kmsKeyId: UNKNOWN,
      instanceType: "ml.t3.medium",
      instanceMetadataServiceConfiguration: { minimumInstanceMetadataServiceVersion: "2" },
      roleArn: `arn:aws:iam::123456789012:role/ml-platform-${stack}-notebook`,
    });
    // The subnet comes from the network (unknown until created) but must be set.
    expect(nb().inputs.subnetId).toBeDefined();
  });

  it("stops itself after the configured idle minutes, within the lifecycle limits", () => {
    const lifecycle = runs[stack].one(
      "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration",
    );
    expect(nb().inputs.lifecycleConfigName).toBe(lifecycle.inputs.name);
    const script = Buffer.from(lifecycle.inputs.onStart as string, "base64").toString("utf8");
    expect(script).toBe(
      notebookOnStartScript({
        idleMinutes: stack === "dev" ? 30 : 60,
        backupMinutes: 15,
        bucketName: BUCKET(stack),
        backupPrefix: `notebooks/ml-platform-${stack}-notebook/home`,
      }),
    );
    expect(script).toContain(`readonly IDLE_MINUTES=${stack === "dev" ? 30 : 60}`);
    // SageMaker caps a lifecycle script at 16384 characters.
    expect((lifecycle.inputs.onStart as string).length).toBeLessThanOrEqual(16384);
  });

  it("scopes the role to the store's prefixes, its key, itself and the training role", () => {
    const doc = jsonInput(runs[stack].one("aws:iam/rolePolicy:RolePolicy", "notebook-policy"), "policy");
    const bucketArn = `arn:aws:s3:::${BUCKET(stack)}`;
    const resources = doc.Statement.flatMap((s: any) => s.Resource);
    expect(resources).toEqual(
      expect.arrayContaining([
        `${bucketArn}/datasets/dog-images/*`,
        `${bucketArn}/notebooks/ml-platform-${stack}-notebook/*`,
        `${bucketArn}/models/*`,
        `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-platform-${stack}-notebook`,
        `arn:aws:iam::123456789012:role/ml-platform-${stack}-training`,
      ]),
    );
    expect(resources).not.toContain("*");
    expect(
      resources
        .filter((r: string) => r.startsWith(bucketArn) && r !== bucketArn)
        .every((r: string) =>
          new RegExp(`/(datasets/dog-images|notebooks/ml-platform-${stack}-notebook|models)/\\*$`).test(r),
        ),
    ).toBe(true);
    for (const s of doc.Statement.filter((st: any) => st.Action.includes("s3:ListBucket")))
      expect(s.Condition.StringLike["s3:prefix"]).toHaveLength(2);
    const passRole = doc.Statement.find((s: any) => s.Action.includes("iam:PassRole"));
    expect(passRole).toEqual({
      Sid: "PassTrainingRoleOnly",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [`arn:aws:iam::123456789012:role/ml-platform-${stack}-training`],
      Condition: { StringEquals: { "iam:PassedToService": "sagemaker.amazonaws.com" } },
    });
    for (const s of doc.Statement) for (const a of s.Action) expect(a).not.toMatch(/\*/);
  });

  it("trusts only SageMaker, on behalf of this account", () => {
    const trust = jsonInput(runs[stack].one("aws:iam/role:Role", "notebook-role"), "assumeRolePolicy");
    expect(trust.Statement).toEqual([
      {
        Sid: "TrustService",
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });
});

describe("notebook options", () => {
  it("lets config opt in to direct internet access, without a subnet", async () => {
    const run = await runStack("dev", { "ml-platform:notebook": { directInternetAccess: true } });
    const nb = run.one("aws:sagemaker/notebookInstance:NotebookInstance");
    expect(nb.inputs.directInternetAccess).toBe("Enabled");
    expect(nb.inputs.subnetId).toBeUndefined();
  });

  it("the on-start script passes bash -n and shellcheck", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "idle-")), "on-start.sh");
    fs.writeFileSync(
      file,
      notebookOnStartScript({
        idleMinutes: 45,
        backupMinutes: 60,
        bucketName: "b",
        backupPrefix: "notebooks/nb/home",
      }),
    );
    execFileSync("bash", ["-n", file]);
    const shellcheck = "/usr/bin/shellcheck";
    if (!fs.existsSync(shellcheck)) throw new Error("shellcheck is missing: apt-get install -y shellcheck");
    expect(() => execFileSync(shellcheck, ["-S", "warning", file], { encoding: "utf8" })).not.toThrow();
  });

  it("rejects idle minutes the cron check cannot honour", () => {
    const settings = {
      idleMinutes: 30,
      backupMinutes: 15,
      bucketName: "b",
      backupPrefix: "notebooks/nb/home",
    };
    expect(() => notebookOnStartScript({ ...settings, idleMinutes: 3 })).toThrow(
      "idleMinutes must be a whole number between 5 and 1440 (got 3)",
    );
    expect(() => notebookOnStartScript({ ...settings, backupMinutes: 7 })).toThrow(
      "backupMinutes must be one of 5, 6, 10, 12, 15, 20, 30, 60 (got 7)",
    );
  });
});

describe("network", () => {
  it("creates private subnets only, no NAT or internet gateway", () => {
    const run = runs.prod;
    expect(run.ofType("aws:ec2/subnet:Subnet").map((s) => s.inputs.cidrBlock)).toEqual([
      "10.41.0.0/20",
      "10.41.16.0/20",
    ]);
    expect(run.ofType("aws:ec2/subnet:Subnet").every((s) => s.inputs.mapPublicIpOnLaunch === false)).toBe(
      true,
    );
    expect(run.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(0);
    expect(run.ofType("aws:ec2/internetGateway:InternetGateway")).toHaveLength(0);
  });

  it("creates the S3 gateway and the interface endpoints the workloads need, open on 443 to the VPC only", () => {
    const endpoints = runs.prod.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
    expect(endpoints.map((e) => e.inputs.serviceName).sort()).toEqual(
      ["s3", "sagemaker.api", "sts", "logs"].map((s) => `com.amazonaws.us-east-1.${s}`).sort(),
    );
    const sg = runs.prod.one("aws:ec2/securityGroup:SecurityGroup", "network-endpoints");
    expect(sg.inputs.ingress).toEqual([
      expect.objectContaining({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.41.0.0/16"] }),
    ]);
  });

  it("puts interface endpoints in one AZ in dev to halve their cost", () => {
    const api = runs.dev.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-sagemaker-api");
    expect(api.inputs.subnetIds).toHaveLength(1);
    const prodApi = runs.prod.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-sagemaker-api");
    expect(prodApi.inputs.subnetIds).toHaveLength(2);
  });

  it("uses an existing VPC and subnets when config names them", async () => {
    const run = await runStack("dev", {
      "ml-platform:network": {
        mode: "existing",
        vpcId: "vpc-0abc1234",
        subnetIds: ["subnet-0abc1234"],
        vpcCidr: "10.9.0.0/16",
        cidr: undefined,
        interfaceEndpointAzCount: undefined,
      },
    });
    expect(run.ofType("aws:ec2/vpc:Vpc")).toHaveLength(0);
    expect(run.one("aws:sagemaker/notebookInstance:NotebookInstance").inputs.subnetId).toBe(
      "subnet-0abc1234",
    );
    expect(run.one("aws:ec2/securityGroup:SecurityGroup", "network-workload").inputs.vpcId).toBe(
      "vpc-0abc1234",
    );
  });

  it("splits the VPC range into equal subnets", () => {
    expect(subnetCidrs("10.40.0.0/16", 3)).toEqual(["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"]);
    expect(subnetCidrs("192.168.4.0/24", 2)).toEqual(["192.168.4.0/26", "192.168.4.64/26"]);
  });
});

describe("preview-known guardrail inputs", () => {
  it.each(["dev", "prod"])(
    "every IAM document, SG rule and encryption setting is known at preview (%s)",
    (stack) => {
      const fields: Record<string, string[]> = {
        "aws:iam/role:Role": ["assumeRolePolicy", "name"],
        "aws:iam/rolePolicy:RolePolicy": ["policy", "role"],
        "aws:s3/bucketPolicy:BucketPolicy": ["policy", "bucket"],
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
          "rules",
          "bucket",
        ],
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
        "aws:ec2/securityGroup:SecurityGroup": ["ingress", "egress"],
        "aws:sagemaker/notebookInstance:NotebookInstance": [
          "kmsKeyId",
          "roleArn",
          "rootAccess",
          "directInternetAccess",
        ],
        "aws:kms/key:Key": ["policy", "enableKeyRotation"],
      };
      // The key's ARN is unknown until the key exists; it goes only where AWS takes no alias, and
      // the guardrails count an unknown key reference as a customer-managed key (docs/kms.md).
      const keyArnPaths: Record<string, string[]> = {
        rules: ["[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"],
        kmsKeyId: [""],
      };
      const key = runs[stack].one("aws:kms/key:Key").urn;
      for (const r of runs[stack].resources) {
        for (const field of fields[r.type] ?? []) {
          const keyArn =
            r.type.includes("Encryption") || r.type.includes("notebookInstance")
              ? (keyArnPaths[field] ?? [])
              : [];
          expect([r.name, field, unknownPaths(r.inputs[field])]).toEqual([r.name, field, keyArn]);
          if (keyArn.length > 0) expect(r.propertyDependencies[field]).toContain(key);
        }
      }
    },
  );
});

describe("tags and names", () => {
  it("tags every taggable resource with project, stack, component, owner and cost center", () => {
    const taggable = [
      "Vpc",
      "Subnet",
      "RouteTable",
      "SecurityGroup",
      "VpcEndpoint",
      "Bucket",
      "Key",
      "Role",
      "NotebookInstance",
    ];
    const tagged = runs.prod.resources.filter((r) => r.custom && taggable.includes(r.type.split(":").pop()!));
    expect(new Set(tagged.map((r) => r.type.split(":").pop()))).toEqual(new Set(taggable));
    for (const r of tagged)
      expect(r.inputs.tags).toMatchObject({
        project: "ml-platform",
        stack: "prod",
        owner: "ml-platform-team",
        "cost-center": "cc-ml-prod",
        component: expect.any(String),
      });
  });

  it("shortens long names with a stable hash instead of cutting them", () => {
    const long = fitName(
      "ml-platform-a-very-long-stack-name-for-testing-artifacts-123456789012-ap-southeast-2",
      63,
    );
    expect(long).toHaveLength(63);
    expect(long).toBe(
      fitName("ml-platform-a-very-long-stack-name-for-testing-artifacts-123456789012-ap-southeast-2", 63),
    );
    expect(long).toMatch(/^ml-platform-a-very-long-stack-name-for-testing-artifac-[0-9a-f]{8}$/);
  });
});
