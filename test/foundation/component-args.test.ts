/**
 * Every component validates its own arguments (other programs have no stack config): each bad
 * argument is refused before anything is registered, with one line naming the argument, what is
 * allowed and the value given; an argument passed as undefined keeps its default.
 */
import { runUnderMocks } from "../support/mock-run";
import { resolveArtifactStoreArgs } from "../../components/artifact-store";
import { Ec2Trainer, resolveEc2TrainerArgs } from "../../components/ec2-trainer";
import { ENDPOINT_DEFAULTS, resolveEndpointArgs } from "../../components/inference-endpoint";
import { endpointReference, MAX_REQUEST_BYTES } from "../../components/inference-endpoint";
import { resolveFunctionArgs } from "../../components/inference-function";
import { Network, resolveNetworkArgs, subnetCidrs } from "../../components/network";
import { NOTEBOOK_DEFAULTS, resolveNotebookArgs } from "../../components/notebook";
import { PlatformKey, resolvePlatformKeyArgs } from "../../components/platform-key";
import { ComponentArgsError } from "../../components/shared/arg-schema";
import { closestInstanceTypes, isInstanceType } from "../../components/shared/instance-types";
import { resolveSourceBundleArgs } from "../../components/source-bundle";
import { resolveTrainingArgs, TRAINING_DEFAULTS } from "../../components/training-cluster";

const context = {
  partition: "aws",
  region: "us-east-1",
  accountId: "123456789012",
  dnsSuffix: "amazonaws.com",
};
// A key ARN: the fields of these components take no alias (docs/kms.md).
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const storage = {
  bucketName: "team-data",
  datasetPrefix: "datasets/dogs",
  prefixes: { code: "code", models: "models", checkpoints: "checkpoints", notebooks: "notebooks" },
};
const bundle = { bucketName: "team-data", key: "code/0123/sourcedir.tar.gz", sha256: "00" };

/** The lines of the error resolving these arguments throws (they must be rejected). */
function problems(resolve: () => unknown): string[] {
  try {
    resolve();
  } catch (err) {
    if (!(err instanceof ComponentArgsError)) throw err;
    return err.message.split("\n");
  }
  throw new Error("expected the arguments to be rejected");
}

describe("PlatformKey", () => {
  const base = { aliasName: "team-data", context };

  it("refuses a deletion window outside KMS's 7-30 days, naming the argument", () => {
    expect(problems(() => resolvePlatformKeyArgs("key", { ...base, deletionWindowDays: 365 }))).toEqual([
      "PlatformKey key: args.deletionWindowDays must be a whole number between 7 and 30 (got 365)",
    ]);
    expect(problems(() => resolvePlatformKeyArgs("key", { ...base, deletionWindowDays: 6 }))).toEqual([
      "PlatformKey key: args.deletionWindowDays must be a whole number between 7 and 30 (got 6)",
    ]);
    expect(resolvePlatformKeyArgs("key", { ...base, deletionWindowDays: 7 }).deletionWindowDays).toBe(7);
  });

  it("keeps the 30-day default when deletionWindowDays is undefined", () => {
    expect(resolvePlatformKeyArgs("key", { ...base, deletionWindowDays: undefined }).deletionWindowDays).toBe(
      30,
    );
  });

  it("refuses alias names KMS reserves or rejects", () => {
    expect(problems(() => resolvePlatformKeyArgs("key", { ...base, aliasName: "aws/s3" }))).toEqual([
      'PlatformKey key: args.aliasName must be an alias name without alias/: letters, digits, /, _ and -, not starting with aws/ (got "aws/s3")',
    ]);
  });

  it("registers nothing when it refuses its arguments", async () => {
    const run = await runUnderMocks(
      () => {
        try {
          new PlatformKey("key", { ...base, deletionWindowDays: 365 });
        } catch (err) {
          return (err as Error).message;
        }
        return "accepted";
      },
      { project: "team", stack: "test", config: { "aws:region": "us-east-1" } },
    );
    expect(run.result).toBe(
      "PlatformKey key: args.deletionWindowDays must be a whole number between 7 and 30 (got 365)",
    );
    expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});

describe("Network", () => {
  const base = { namePrefix: "team-vpc", region: "us-east-1" };

  it("refuses a CIDR that is not IPv4 instead of building NaN subnets", () => {
    expect(problems(() => resolveNetworkArgs("net", { ...base, cidr: "not-a-cidr" }))).toEqual([
      'Network net: args.cidr must be an IPv4 CIDR such as 10.40.0.0/16 (got "not-a-cidr")',
    ]);
    // What the old component built from it.
    expect(subnetCidrs("not-a-cidr", 1)).toEqual(["NaN.NaN.NaN.NaN/NaN"]);
  });

  it("refuses VPC ranges outside /16-/24", () => {
    expect(problems(() => resolveNetworkArgs("net", { ...base, cidr: "10.0.0.0/8" }))).toEqual([
      'Network net: args.cidr must be a /16 to /24 range (AWS allows VPCs of /16 to /28; the subnets need room) (got "10.0.0.0/8")',
    ]);
  });

  it("refuses settings of the other mode and names what each mode requires", () => {
    expect(problems(() => resolveNetworkArgs("net", { mode: "existing", cidr: "10.1.0.0/16" }))).toEqual([
      'Network net: args.cidr is only used when args.mode is "create"; remove it or set args.mode (got "10.1.0.0/16")',
      'Network net: args.vpcId is required when args.mode is "existing"',
      'Network net: args.subnetIds must list at least one private subnet id when args.mode is "existing"',
      'Network net: args.vpcCidr is required when args.mode is "existing" (the VPC endpoints accept traffic only from it)',
    ]);
    expect(problems(() => resolveNetworkArgs("net", { cidr: "10.1.0.0/16" }))).toEqual([
      'Network net: args.namePrefix is required when args.mode is "create"',
      'Network net: args.region is required when args.mode is "create"',
    ]);
  });

  it("refuses more endpoint AZs than subnets", () => {
    expect(
      problems(() =>
        resolveNetworkArgs("net", { ...base, availabilityZoneCount: 2, interfaceEndpointAzCount: 3 }),
      ),
    ).toEqual([
      "Network net: args.interfaceEndpointAzCount must be <= args.availabilityZoneCount (got 3 > 2)",
    ]);
  });

  it("keeps every default when arguments are undefined", () => {
    const a = resolveNetworkArgs("net", { ...base, cidr: undefined, availabilityZoneCount: undefined });
    expect(a).toMatchObject({
      mode: "create",
      cidr: "10.40.0.0/16",
      availabilityZoneCount: 2,
      interfaceEndpointAzCount: 2,
    });
  });

  it("registers nothing when it refuses its arguments", async () => {
    const run = await runUnderMocks(
      () => {
        try {
          new Network("net", { ...base, cidr: "not-a-cidr" });
        } catch {
          return "rejected";
        }
        return "accepted";
      },
      { project: "team", stack: "test", config: { "aws:region": "us-east-1" } },
    );
    expect(run.result).toBe("rejected");
    expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});

describe("instance types are AWS's, for their use", () => {
  const notebook = { notebookName: "team-nb", context, storage, kmsKeyArn: KEY, subnetId: "subnet-0abc1234" };
  const training = { context, storage, sourceBundle: bundle, kmsKeyArn: KEY, jobNamePrefix: "team" };
  const ec2 = {
    context,
    storage,
    sourceBundle: bundle,
    kmsKeyArn: KEY,
    namePrefix: "team-trainer",
    vpcId: "vpc-0abc1234",
    subnetId: "subnet-0abc1234",
  };
  const endpoint = {
    endpointName: "dogs",
    context,
    modelDataUrl: "s3://team-data/model.tar.gz",
    kmsKeyArn: KEY,
  };

  it("refuses ml.m5.huge, listing the closest real types", () => {
    expect(problems(() => resolveTrainingArgs("train", { ...training, instanceType: "ml.m5.huge" }))).toEqual(
      [
        'TrainingCluster train: args.instanceType must be a SageMaker training instance type AWS offers; close ones: ml.m5.large, ml.m5.xlarge, ml.m5.2xlarge, ml.m5.4xlarge (got "ml.m5.huge")',
      ],
    );
    expect(problems(() => resolveEndpointArgs("ep", { ...endpoint, instanceType: "ml.m5.huge" }))).toEqual([
      'InferenceEndpoint ep: args.instanceType must be a SageMaker endpoint instance type AWS offers; close ones: ml.m5.large, ml.m5.xlarge, ml.m5.2xlarge, ml.m5.4xlarge (got "ml.m5.huge")',
    ]);
    expect(problems(() => resolveNotebookArgs("nb", { ...notebook, instanceType: "ml.m5.huge" }))).toEqual([
      'NotebookInstance nb: args.instanceType must be a SageMaker notebook instance type AWS offers; close ones: ml.m5.xlarge, ml.m5.2xlarge, ml.m5.4xlarge, ml.m5.12xlarge (got "ml.m5.huge")',
    ]);
    expect(problems(() => resolveEc2TrainerArgs("t", { ...ec2, instanceType: "m5.huge" }))).toEqual([
      'Ec2Trainer t: args.instanceType must be an EC2 instance type AWS offers; close ones: m5.large, m5.xlarge, m5.2xlarge, m5.4xlarge (got "m5.huge")',
    ]);
  });

  it("checks each use against its own list (a notebook type is not a hosting type)", () => {
    expect(isInstanceType("notebook", "ml.t3.medium")).toBe(true);
    expect(isInstanceType("hosting", "ml.t3.medium")).toBe(false);
    expect(isInstanceType("hosting", "ml.t2.medium")).toBe(true);
    expect(isInstanceType("ec2", "ml.m5.large")).toBe(false);
    expect(isInstanceType("training", "ml.p5en.48xlarge")).toBe(true);
    expect(closestInstanceTypes("hosting", "ml.t3.medium", 2)).toEqual(["ml.t2.medium", "ml.c8g.medium"]);
    expect(
      problems(() => resolveEndpointArgs("ep", { ...endpoint, instanceType: "ml.t3.medium" }))[0],
    ).toContain("args.instanceType must be a SageMaker endpoint instance type AWS offers");
  });

  it("keeps the default instance type when instanceType is undefined", () => {
    expect(resolveNotebookArgs("nb", { ...notebook, instanceType: undefined }).instanceType).toBe(
      NOTEBOOK_DEFAULTS.instanceType,
    );
    expect(resolveTrainingArgs("train", { ...training, instanceType: undefined }).instanceType).toBe(
      TRAINING_DEFAULTS.instanceType,
    );
    expect(resolveEc2TrainerArgs("t", { ...ec2, instanceType: undefined }).instanceType).toBe("m5.xlarge");
    expect(resolveEc2TrainerArgs("t", { ...ec2, mode: "gpu", instanceType: undefined }).instanceType).toBe(
      "g4dn.xlarge",
    );
    expect(resolveEndpointArgs("ep", { ...endpoint, instanceType: undefined }).variant).toMatchObject({
      instanceType: ENDPOINT_DEFAULTS.instanceType,
    });
  });

  it("constructs the trainer with its default type when instanceType is undefined", async () => {
    const run = await runUnderMocks(() => ({ t: new Ec2Trainer("t", { ...ec2, instanceType: undefined }) }), {
      project: "team",
      stack: "test",
      config: { "aws:region": "us-east-1" },
    });
    expect(run.resources.find((r) => r.type === "aws:ec2/instance:Instance")?.inputs.instanceType).toBe(
      "m5.xlarge",
    );
  });
});

describe("other components refuse bad arguments by name", () => {
  it("ArtifactStore: a bucket name S3 refuses, and a missing key", () => {
    expect(
      problems(() =>
        resolveArtifactStoreArgs("store", {
          bucketName: "Team_Data",
          context,
          kmsKeyArn: undefined as never,
        }),
      ),
    ).toEqual([
      'ArtifactStore store: args.bucketName must be an S3 bucket name: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit (got "Team_Data")',
      "ArtifactStore store: args.kmsKeyArn is required (the KMS key's ARN for S3 default bucket encryption)",
    ]);
  });

  it("ArtifactStore: undefined keeps the defaults", () => {
    expect(
      resolveArtifactStoreArgs("store", {
        bucketName: "team-data",
        context,
        kmsKeyArn: KEY,
        datasetPrefix: undefined,
        forceDestroy: undefined,
      }),
    ).toMatchObject({
      datasetPrefix: "datasets/dog-images",
      forceDestroy: false,
      noncurrentVersionExpirationDays: 30,
    });
  });

  it("SourceBundle: a key prefix with slashes around it", () => {
    expect(
      problems(() =>
        resolveSourceBundleArgs("code", { bucketName: "team-data", kmsKeyArn: KEY, codePrefix: "/code/" }),
      ),
    ).toEqual([
      'SourceBundle code: args.codePrefix must be an S3 key prefix such as code (no leading or trailing slash) (got "/code/")',
    ]);
  });

  it("NotebookInstance: no subnet without internet, idle minutes out of range, an unknown argument", () => {
    expect(
      problems(() =>
        resolveNotebookArgs("nb", {
          notebookName: "team-nb",
          context,
          storage,
          kmsKeyArn: KEY,
          idleStopMinutes: 2,
          idleMinutes: 30,
        } as never),
      ),
    ).toEqual([
      "NotebookInstance nb: args.idleStopMinutes must be a whole number between 5 and 1440 (got 2)",
      "NotebookInstance nb: args.idleMinutes is not a known setting (known: notebookName, roleName, context, storage, kmsKeyArn, kmsAliasArn, subnetId, securityGroupIds, instanceType, volumeSizeGb, idleStopMinutes, homeBackupMinutes, directInternetAccess, rootAccess, platformIdentifier, trainingRoleArn, jobNamePrefix, parked, tags)",
      "NotebookInstance nb: args.subnetId is required when args.directInternetAccess is false (the instance reaches AWS through the VPC)",
    ]);
    expect(
      problems(() =>
        resolveNotebookArgs("nb", { notebookName: "team-nb", context, storage, kmsKeyArn: KEY }),
      ),
    ).toEqual([
      "NotebookInstance nb: args.subnetId is required when args.directInternetAccess is false (the instance reaches AWS through the VPC)",
    ]);
  });

  it("TrainingCluster: a role by name and by ARN at once, a bundle in another bucket", () => {
    expect(
      problems(() =>
        resolveTrainingArgs("train", {
          context,
          storage,
          sourceBundle: { ...bundle, bucketName: "other-bucket" },
          kmsKeyArn: KEY,
          jobNamePrefix: "team",
          role: { name: "team-training", arn: "arn:aws:iam::123456789012:role/theirs" },
        }),
      ),
    ).toEqual([
      'TrainingCluster train: args.role.arn conflicts with args.role.name: give the name of a role to create, or the ARN of yours (got "arn:aws:iam::123456789012:role/theirs")',
      "TrainingCluster train: args.sourceBundle is in bucket other-bucket, but args.storage is team-data; upload it to the same store",
    ]);
  });

  it("InferenceFunction: an endpoint that is not one", () => {
    expect(
      problems(() => resolveFunctionArgs("fn", { functionName: "team-fn", context, endpoint: {} as never })),
    ).toEqual([
      "InferenceFunction fn: args.endpoint must be the endpoint the function calls (an InferenceEndpoint or endpointReference(...)); the function is granted InvokeEndpoint on it alone (with endpointName, endpointArn, invokePolicyStatement)",
    ]);
    const endpoint = endpointReference(context, "dogs", MAX_REQUEST_BYTES.instance);
    expect(
      resolveFunctionArgs("fn", { functionName: "team-fn", context, endpoint, topK: undefined }).topK,
    ).toBe(5);
  });
});

describe("close instance types", () => {
  it("puts the ml. prefix right for the use first", () => {
    expect(closestInstanceTypes("training", "m5.xlarge", 2)).toEqual(["ml.m5.xlarge", "ml.m5.2xlarge"]);
    expect(closestInstanceTypes("ec2", "ml.g4dn.xlarge", 1)).toEqual(["g4dn.xlarge"]);
  });
});

describe("KMS key forms AWS takes (docs/kms.md)", () => {
  const alias = "arn:aws:kms:us-east-1:123456789012:alias/team-data";
  const refusal = (component: string, name: string, field: string) =>
    `${component} ${name}: args.kmsKeyArn must be the KMS key's ARN (arn:<partition>:kms:<region>:<account>:key/<id>), not an alias: ` +
    `AWS takes no alias for ${field}; pass the alias ARN as kmsAliasArn (IAM grants and the fields that accept aliases use it) (got "${alias}")`;

  it("refuses an alias where the field takes only a key ARN, and says where the alias goes", () => {
    expect(
      problems(() => resolveArtifactStoreArgs("s", { bucketName: "team-data", kmsKeyArn: alias, context })),
    ).toEqual([refusal("ArtifactStore", "s", "S3 default bucket encryption")]);
    expect(
      problems(() => resolveSourceBundleArgs("code", { bucketName: "team-data", kmsKeyArn: alias })),
    ).toEqual([refusal("SourceBundle", "code", "S3 object encryption")]);
    expect(
      problems(() =>
        resolveNotebookArgs("nb", {
          notebookName: "team-nb",
          context,
          storage,
          kmsKeyArn: alias,
          subnetId: "subnet-1",
        }),
      ),
    ).toEqual([
      refusal("NotebookInstance", "nb", "the notebook instance volume (CreateNotebookInstance KmsKeyId)"),
    ]);
    expect(
      problems(() =>
        resolveTrainingArgs("t", {
          context,
          storage,
          sourceBundle: bundle,
          kmsKeyArn: alias,
          jobNamePrefix: "team",
        }),
      ),
    ).toEqual([refusal("TrainingCluster", "t", "training volumes (ResourceConfig.VolumeKmsKeyId)")]);
  });

  it("takes the alias as kmsAliasArn, and refuses anything else there", () => {
    const ok = resolveTrainingArgs("t", {
      context,
      storage,
      sourceBundle: bundle,
      kmsKeyArn: KEY,
      kmsAliasArn: alias,
      jobNamePrefix: "team",
    });
    expect([ok.kmsKeyArn, ok.kmsAliasArn]).toEqual([KEY, alias]);
    expect(
      problems(() =>
        resolveTrainingArgs("t", {
          context,
          storage,
          sourceBundle: bundle,
          kmsKeyArn: KEY,
          kmsAliasArn: KEY,
          jobNamePrefix: "team",
        }),
      ),
    ).toEqual([
      `TrainingCluster t: args.kmsAliasArn must be a KMS alias ARN (arn:<partition>:kms:<region>:<account>:alias/<name>) (got "${KEY}")`,
    ]);
  });

  it("an endpoint takes an alias ARN as its key: every KMS field of an endpoint configuration accepts one", () => {
    expect(() =>
      resolveEndpointArgs("ep", {
        endpointName: "dogs",
        context,
        modelDataUrl: "s3://team-data/model.tar.gz",
        kmsKeyArn: alias,
      }),
    ).not.toThrow();
  });
});
