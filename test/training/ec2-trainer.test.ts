import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runUnderMocks } from "../support/mock-run";
import {
  dlamiParameterName,
  Ec2Trainer,
  trainerArguments,
  TrainerRun,
  trainerUserData,
  validateEc2TrainerArgs,
} from "../../components/ec2-trainer";
import { buildSourceBundle } from "../../components/source-bundle";
import { jsonInput, runStack, stackConfig, StackRun, UNKNOWN, unknownPaths } from "../harness";

const BUCKET = "ml-platform-dev-artifacts-123456789012-us-east-1";
const INSTANCE = "aws:ec2/instance:Instance";
const DLAMI =
  "/aws/service/deeplearning/ami/x86_64/oss-nvidia-driver-gpu-pytorch-2.13-amazon-linux-2023/latest/ami-id";

let dev: StackRun;
beforeAll(async () => {
  dev = await runStack("dev");
});

const userDataOf = (run: StackRun) =>
  Buffer.from(run.one(INSTANCE).inputs.userDataBase64 as string, "base64").toString("utf8");

/** Writes the script to a temp file and runs `bash -n` and shellcheck on it. */
function checkScript(script: string): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "user-data-")), "user-data.sh");
  fs.writeFileSync(file, script);
  execFileSync("bash", ["-n", file]);
  const shellcheck = spawnSync("shellcheck", ["--shell=bash", "--severity=style", file], {
    encoding: "utf8",
  });
  if (shellcheck.error)
    throw new Error(
      `shellcheck is not installed (${shellcheck.error.message}); install it with: apt-get install -y shellcheck`,
    );
  expect(shellcheck.stdout + shellcheck.stderr).toBe("");
  expect(shellcheck.status).toBe(0);
}

describe("EC2 trainer (dev, CPU)", () => {
  const instance = () => dev.one(INSTANCE).inputs as any;

  it("boots the Deep Learning AMI from its public SSM parameter on the CPU type from config", async () => {
    expect(instance().instanceType).toBe("m5.xlarge");
    expect(instance().ami).toBe("ami-0a1b2c3d4e5f60718");
    const run = await runUnderMocks(require("../../stacks/index"), {
      project: "ml-platform",
      stack: "dev",
      config: stackConfig("dev"),
      strictInvokes: true,
    });
    expect(
      run.invokes.filter((i) => i.token === "aws:ssm/getParameter:getParameter").map((i) => i.args.name),
    ).toEqual([DLAMI]);
    expect(dlamiParameterName()).toBe(DLAMI);
  });

  it("terminates on shutdown, requires IMDSv2, encrypts its root volume and has no public IP", () => {
    expect(instance()).toMatchObject({
      instanceInitiatedShutdownBehavior: "terminate",
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      rootBlockDevice: {
        encrypted: true,
        // The key's ARN (unknown at preview): EC2 reports the volume's key by ARN, so an alias
        // would read as a replacement on every up (docs/kms.md).
        kmsKeyId: UNKNOWN,
        volumeType: "gp3",
        volumeSize: 100,
        deleteOnTermination: true,
      },
      associatePublicIpAddress: false,
      iamInstanceProfile: "ml-platform-dev-ec2-trainer",
      userDataReplaceOnChange: true,
    });
    expect(dev.one("aws:iam/instanceProfile:InstanceProfile").inputs).toMatchObject({
      name: "ml-platform-dev-ec2-trainer",
      role: "ml-platform-dev-ec2-trainer",
    });
  });

  it("opens no inbound port by default and only HTTPS out", () => {
    const sg = dev.one("aws:ec2/securityGroup:SecurityGroup", "ec2-trainer-sg").inputs as any;
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toEqual([
      {
        description: "HTTPS to VPC endpoints and S3",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
      },
    ]);
  });

  it("opens SSH to exactly the configured CIDR when asked", async () => {
    const run = await runStack("dev", { "ml-platform:ec2Trainer": { sshCidr: "203.0.113.7/32" } });
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "ec2-trainer-sg").inputs as any;
    expect(sg.ingress).toEqual([
      {
        description: "SSH from the configured admin range",
        protocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrBlocks: ["203.0.113.7/32"],
      },
    ]);
  });

  it("scopes the instance role to its dataset, its bundle, its weights, models/ec2/ and the key", () => {
    const bucket = `arn:aws:s3:::${BUCKET}`;
    const bundleKey = `code/${buildSourceBundle().sha256.slice(0, 16)}/sourcedir.tar.gz`;
    const role = dev.one("aws:iam/role:Role", "ec2-trainer-role");
    expect(jsonInput(role, "assumeRolePolicy").Statement).toEqual([
      {
        Sid: "TrustService",
        Effect: "Allow",
        Principal: { Service: "ec2.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
    const policy = jsonInput(dev.one("aws:iam/rolePolicy:RolePolicy", "ec2-trainer-policy"), "policy");
    expect(policy.Statement).toEqual([
      {
        Sid: "DatasetList",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucket],
        Condition: { StringLike: { "s3:prefix": ["datasets/dog-images/*", "datasets/dog-images"] } },
      },
      {
        Sid: "DatasetRead",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: [`${bucket}/datasets/dog-images/*`],
      },
      {
        Sid: "CodeBundleList",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucket],
        Condition: { StringEquals: { "s3:prefix": bundleKey } },
      },
      {
        Sid: "CodeBundleRead",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: [`${bucket}/${bundleKey}`],
      },
      {
        Sid: "PretrainedWeightsList",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [bucket],
        Condition: { StringEquals: { "s3:prefix": "weights/resnet50-11ad3fa6.pth" } },
      },
      {
        Sid: "PretrainedWeightsRead",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: [`${bucket}/weights/resnet50-11ad3fa6.pth`],
      },
      {
        Sid: "ModelsWrite",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: [`${bucket}/models/ec2/*`],
      },
      expect.objectContaining({ Sid: "UseDataKey", Resource: ["arn:aws:kms:us-east-1:123456789012:key/*"] }),
    ]);
  });

  it("adds Session Manager's minimal instance permissions only when ec2Trainer.sessionManager is on", async () => {
    const run = await runStack("dev", { "ml-platform:ec2Trainer": { sessionManager: true } });
    const statements = jsonInput(
      run.one("aws:iam/rolePolicy:RolePolicy", "ec2-trainer-policy"),
      "policy",
    ).Statement;
    expect(statements.slice(-2)).toEqual([
      {
        Sid: "SessionManagerRegistration",
        Effect: "Allow",
        Action: ["ssm:UpdateInstanceInformation"],
        Resource: ["arn:aws:ec2:us-east-1:123456789012:instance/*"],
      },
      expect.objectContaining({ Sid: "SessionManagerChannels", Resource: ["*"] }),
    ]);
  });

  it("has no unknown IAM, security-group or encryption input", () => {
    const fields: Record<string, string[]> = {
      "aws:iam/role:Role": ["assumeRolePolicy", "name"],
      "aws:iam/rolePolicy:RolePolicy": ["policy", "role"],
      "aws:iam/instanceProfile:InstanceProfile": ["name", "role"],
      "aws:ec2/securityGroup:SecurityGroup": ["ingress", "egress"],
      [INSTANCE]: [
        "rootBlockDevice",
        "metadataOptions",
        "iamInstanceProfile",
        "userDataBase64",
        "ami",
        "associatePublicIpAddress",
      ],
    };
    for (const r of dev.resources.filter((r) => r.name.startsWith("ec2-trainer")))
      for (const field of fields[r.type] ?? [])
        expect([r.name, field, unknownPaths(r.inputs[field])]).toEqual([
          r.name,
          field,
          // The volume's key ARN is unknown until the key exists; the guardrail only needs `encrypted`.
          r.type === INSTANCE && field === "rootBlockDevice" ? ["kmsKeyId"] : [],
        ]);
    const instance = dev.one(INSTANCE);
    expect(instance.propertyDependencies.rootBlockDevice).toContain(dev.one("aws:kms/key:Key").urn);
    expect(instance.options.ignoreChanges).toEqual(["ami"]);
  });

  it("has no EC2 trainer in prod", async () => {
    const prod = await runStack("prod");
    expect(prod.ofType(INSTANCE)).toHaveLength(0);
  });
});

describe("EC2 trainer user data", () => {
  it("passes bash -n and shellcheck (dev stack)", () => {
    checkScript(userDataOf(dev));
  });

  it("passes bash -n and shellcheck in GPU mode without pretrained weights", () => {
    checkScript(
      trainerUserData({
        runId: "run-0123456789ab",
        region: "eu-west-1",
        bucketName: "bucket",
        datasetPrefix: "datasets/dogs",
        bundleKey: "code/0123/sourcedir.tar.gz",
        outputPrefix: "models/ec2/run-0123456789ab/output",
        mode: "gpu",
        hyperparameters: { arch: "resnet18", lr: 0.01, batchSize: 16, epochs: 1, pretrained: false },
        maxRuntimeHours: 0.5,
      }),
    );
  });

  it("runs train.py with the config's hyperparameters and local paths, and no SM_* variable", () => {
    const script = userDataOf(dev);
    expect(script).toContain(
      `"$python_bin" train.py '--lr' '0.001' '--batch-size' '32' '--epochs' '2' '--arch' 'resnet50' '--pretrained' 'true' ` +
        `'--weights-file' '/opt/ml-platform/weights/resnet50-11ad3fa6.pth' '--data-dir' '/opt/ml-platform/data' ` +
        `'--model-dir' '/opt/ml-platform/model' '--output-data-dir' '/opt/ml-platform/output' '--num-gpus' '0' '--backend' 'gloo'`,
    );
    expect(script).not.toMatch(/SM_[A-Z_]+=/);
    expect(script).toContain(`readonly DATASET_PREFIX='datasets/dog-images'`);
    expect(script).toContain(`readonly BUCKET='${BUCKET}'`);
  });

  it("powers off from an EXIT trap and schedules a hard stop at the run-time limit", () => {
    const script = userDataOf(dev);
    expect(script).toMatch(/^trap finish EXIT$/m);
    expect(script).toMatch(/finish\(\) \{[\s\S]*shutdown -h now\n\}/);
    expect(script).toContain("readonly MAX_RUNTIME_MINUTES=120");
    expect(script).toContain('shutdown -h "+$MAX_RUNTIME_MINUTES"');
    // The hard stop is scheduled before any work starts.
    expect(script.indexOf('shutdown -h "+$MAX_RUNTIME_MINUTES"')).toBeLessThan(script.indexOf("s3 sync"));
    expect(script).toContain('exec > >(tee -a "$LOG_FILE" > /dev/console) 2>&1');
  });

  it("uploads the model to models/ec2/<runId>/output/model.tar.gz, the URL the component reports", () => {
    const script = userDataOf(dev);
    const runId = dev.one(INSTANCE).inputs.tags as Record<string, string>;
    const id = runId["ml-platform:run-id"];
    expect(id).toMatch(/^run-[0-9a-f]{12}$/);
    expect(script).toContain(`readonly OUTPUT_PREFIX='models/ec2/${id}/output'`);
    expect(script).toContain('s3 cp "$WORK_DIR/model.tar.gz" "s3://$BUCKET/$OUTPUT_PREFIX/model.tar.gz"');
  });

  it("changes the run (and so the instance) when a hyperparameter changes, and only then", async () => {
    const same = await runStack("dev");
    const more = await runStack("dev", { "ml-platform:training": { hyperparameters: { epochs: 3 } } });
    const runIdOf = (r: StackRun) =>
      (r.one(INSTANCE).inputs.tags as Record<string, string>)["ml-platform:run-id"];
    expect(runIdOf(same)).toBe(runIdOf(dev));
    expect(runIdOf(more)).not.toBe(runIdOf(dev));
    expect(userDataOf(more)).toContain("'--epochs' '3'");
  });

  it("asks train.py for nccl and lets it detect GPUs in GPU mode", () => {
    const run: TrainerRun = {
      runId: "r",
      region: "us-east-1",
      bucketName: "b",
      datasetPrefix: "d",
      bundleKey: "k",
      outputPrefix: "o",
      mode: "gpu",
      hyperparameters: { arch: "resnet50", lr: 0.001, batchSize: 32, epochs: 1, pretrained: true },
      maxRuntimeHours: 1,
    };
    const args = trainerArguments(run);
    expect(args.slice(-2)).toEqual(["--backend", "nccl"]);
    expect(args).not.toContain("--num-gpus");
    expect(args).not.toContain("--weights-file");
  });
});

describe("EC2 trainer modes and validation", () => {
  it("uses the GPU instance type by default in gpu mode", async () => {
    const run = await runStack("dev", { "ml-platform:ec2Trainer": { mode: "gpu", instanceType: undefined } });
    expect(run.one(INSTANCE).inputs.instanceType).toBe("g4dn.xlarge");
    expect(userDataOf(run)).toContain("'--backend' 'nccl'");
  });

  const base = {
    context: { partition: "aws", region: "us-east-1", accountId: "123456789012", dnsSuffix: "amazonaws.com" },
    storage: { bucketName: "b", datasetPrefix: "d", prefixes: { models: "models" } },
    sourceBundle: { bucketName: "b", key: "code/x/sourcedir.tar.gz", sha256: "00" },
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    namePrefix: "team-x-trainer",
    vpcId: "vpc-0123456789abcdef0",
    subnetId: "subnet-0123456789abcdef0",
  };

  it("rejects SSH from the internet or wide ranges even without our stack config", () => {
    expect(() => validateEc2TrainerArgs("trainer", { ...base, sshCidr: "0.0.0.0/0" })).toThrow(
      'Ec2Trainer trainer: args.sshCidr must be a /16 or narrower range, ideally your own /32; SSH is never opened to the internet (got "0.0.0.0/0")',
    );
    expect(() => validateEc2TrainerArgs("trainer", { ...base, sshCidr: "10.0.0.0/8" })).toThrow(
      /\/16 or narrower/,
    );
    expect(() => validateEc2TrainerArgs("trainer", { ...base, sshCidr: "my-ip" })).toThrow(
      'Ec2Trainer trainer: args.sshCidr must be an IPv4 CIDR of your own address, such as 203.0.113.7/32 (got "my-ip")',
    );
    expect(() => validateEc2TrainerArgs("trainer", { ...base, sshCidr: "203.0.113.7/32" })).not.toThrow();
  });

  it("rejects other impossible settings with the value it got", () => {
    expect(() => validateEc2TrainerArgs("t", { ...base, mode: "gpu", instanceType: "m5.xlarge" })).toThrow(
      'Ec2Trainer t: args.instanceType must be a GPU instance type such as g4dn.xlarge when args.mode is "gpu" (got "m5.xlarge")',
    );
    expect(() => validateEc2TrainerArgs("t", { ...base, maxRuntimeHours: 0 })).toThrow(
      "Ec2Trainer t: args.maxRuntimeHours must be a number > 0 and <= 168 (got 0)",
    );
    expect(() => validateEc2TrainerArgs("t", { ...base, volumeSizeGb: 8 })).toThrow(
      "Ec2Trainer t: args.volumeSizeGb must be a whole number between 30 and 16384 (got 8)",
    );
    expect(() => validateEc2TrainerArgs("t", { ...base, hyperparameters: { epochs: 0 } })).toThrow(
      "Ec2Trainer t: args.hyperparameters.epochs must be a whole number between 1 and 1000 (got 0)",
    );
  });

  it("throws when constructed with an open SSH range in another program", async () => {
    await expect(
      runUnderMocks(() => new Ec2Trainer("trainer", { ...base, sshCidr: "0.0.0.0/0" }), {
        project: "other",
        stack: "test",
        config: { "aws:region": "us-east-1" },
      }),
    ).rejects.toThrow(/SSH is never opened to the internet/);
  });
});
