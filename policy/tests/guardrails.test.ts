import { T } from "../lib/resource-types";
import { allPolicies } from "../policies";
import { s3BucketEncryption, s3BucketPublicAccessBlock, s3BucketTlsOnly } from "../policies/s3-guardrails";
import {
  PackClient,
  TestResource,
  UNKNOWN,
  previewAdvisories,
  runStackPolicy,
  startInProcessAnalyzer,
  urnOf,
  violationsOf,
} from "./util";

let client: PackClient;
let stop: () => void;

beforeAll(async () => {
  ({ client, stop } = await startInProcessAnalyzer(allPolicies()));
});
afterAll(() => stop());
beforeEach(() => client.configure());

const KMS_ALIAS = "arn:aws:kms:eu-west-1:111122223333:alias/ml-platform";
const KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type Case = [string, string, Record<string, unknown>, RegExp | null];

/** Each case: a resource and either the message expected from `policy`, or null for "no violation". */
function resourceCases(policy: string, level: string, severity: string, cases: Case[]): void {
  describe(policy, () => {
    test.each(cases)("%s", async (_n, type, props, expected) => {
      const result = await client.analyze({ type, props });
      expect(previewAdvisories(result)).toEqual([]);
      const v = violationsOf(result, policy);
      if (expected === null) {
        expect(v).toEqual([]);
      } else {
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(expected);
        expect(v[0].message).toMatch(/Fix: /);
        expect([v[0].enforcementLevel, v[0].severity]).toEqual([level, severity]);
      }
    });
  });
}

const notebook = (extra: object) => ({
  instanceType: "ml.t3.medium",
  roleArn: UNKNOWN,
  rootAccess: "Disabled",
  directInternetAccess: "Disabled",
  subnetId: UNKNOWN,
  securityGroups: [UNKNOWN],
  kmsKeyId: KMS_ALIAS,
  ...extra,
});

resourceCases("sagemaker-notebook-root-access-disabled", "mandatory", "high", [
  [
    "root access left to the AWS default",
    T.sagemakerNotebookInstance,
    notebook({ rootAccess: undefined }),
    /not set \(AWS defaults to Enabled\)/,
  ],
  [
    "root access enabled",
    T.sagemakerNotebookInstance,
    notebook({ rootAccess: "Enabled" }),
    /rootAccess is "Enabled"/,
  ],
  ["root access disabled", T.sagemakerNotebookInstance, notebook({}), null],
  [
    "other properties unknown in preview",
    T.sagemakerNotebookInstance,
    notebook({ name: UNKNOWN, lifecycleConfigName: UNKNOWN }),
    null,
  ],
]);

resourceCases("sagemaker-notebook-no-direct-internet", "mandatory", "high", [
  [
    "direct internet by default",
    T.sagemakerNotebookInstance,
    notebook({ directInternetAccess: undefined }),
    /AWS defaults to Enabled/,
  ],
  [
    "direct internet enabled",
    T.sagemakerNotebookInstance,
    notebook({ directInternetAccess: "Enabled" }),
    /"Enabled"/,
  ],
  [
    "disabled without a subnet",
    T.sagemakerNotebookInstance,
    notebook({ subnetId: undefined }),
    /no subnetId/,
  ],
  ["disabled in a subnet whose id is unknown in preview", T.sagemakerNotebookInstance, notebook({}), null],
  ["disabled in a known subnet", T.sagemakerNotebookInstance, notebook({ subnetId: "subnet-0abc" }), null],
]);

resourceCases("sagemaker-notebook-kms", "advisory", "medium", [
  ["no key", T.sagemakerNotebookInstance, notebook({ kmsKeyId: undefined }), /kmsKeyId is not set/],
  [
    "AWS-managed key alias",
    T.sagemakerNotebookInstance,
    notebook({ kmsKeyId: "alias/aws/sagemaker" }),
    /AWS-managed/,
  ],
  ["alias ARN", T.sagemakerNotebookInstance, notebook({}), null],
  ["key ARN", T.sagemakerNotebookInstance, notebook({ kmsKeyId: KMS_KEY }), null],
  [
    "key created in the stack (unknown in preview)",
    T.sagemakerNotebookInstance,
    notebook({ kmsKeyId: UNKNOWN }),
    null,
  ],
]);

const endpointConfig = (extra: object) => ({
  productionVariants: [
    { variantName: "AllTraffic", modelName: UNKNOWN, instanceType: "ml.m5.large", initialInstanceCount: 1 },
  ],
  kmsKeyArn: KMS_ALIAS,
  ...extra,
});
resourceCases("sagemaker-endpoint-config-kms", "advisory", "medium", [
  [
    "instance variant without a key",
    T.sagemakerEndpointConfiguration,
    endpointConfig({ kmsKeyArn: undefined }),
    /kmsKeyArn is not set/,
  ],
  [
    "data capture without a key",
    T.sagemakerEndpointConfiguration,
    endpointConfig({
      dataCaptureConfig: {
        enableCapture: true,
        initialSamplingPercentage: 10,
        captureOptions: [{ captureMode: "Input" }],
      },
    }),
    /dataCaptureConfig/,
  ],
  ["alias ARN", T.sagemakerEndpointConfiguration, endpointConfig({}), null],
  [
    "serverless variant needs no key",
    T.sagemakerEndpointConfiguration,
    endpointConfig({
      kmsKeyArn: undefined,
      productionVariants: [
        { variantName: "v", serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 2048 } },
      ],
    }),
    null,
  ],
  [
    "local NVMe instance family refuses a key",
    T.sagemakerEndpointConfiguration,
    endpointConfig({ kmsKeyArn: undefined, productionVariants: [{ instanceType: "ml.g4dn.xlarge" }] }),
    null,
  ],
]);

resourceCases("sagemaker-model-network-isolation", "advisory", "medium", [
  [
    "isolation not set",
    T.sagemakerModel,
    { executionRoleArn: UNKNOWN, primaryContainer: { image: "img" } },
    /AWS defaults to false/,
  ],
  ["isolation off", T.sagemakerModel, { executionRoleArn: UNKNOWN, enableNetworkIsolation: false }, /false/],
  [
    "isolation on",
    T.sagemakerModel,
    { executionRoleArn: UNKNOWN, enableNetworkIsolation: true, primaryContainer: { modelDataUrl: UNKNOWN } },
    null,
  ],
]);

resourceCases("lambda-reserved-concurrency", "advisory", "medium", [
  ["not set", T.lambdaFunction, { role: UNKNOWN, runtime: "nodejs20.x" }, /not set/],
  ["unreserved (-1)", T.lambdaFunction, { role: UNKNOWN, reservedConcurrentExecutions: -1 }, /not set/],
  ["above the ceiling", T.lambdaFunction, { role: UNKNOWN, reservedConcurrentExecutions: 500 }, /500/],
  [
    "within bounds",
    T.lambdaFunction,
    { role: UNKNOWN, reservedConcurrentExecutions: 10, code: UNKNOWN },
    null,
  ],
]);

resourceCases("lambda-function-url-auth", "mandatory", "high", [
  ["auth NONE", T.lambdaFunctionUrl, { functionName: UNKNOWN, authorizationType: "NONE" }, /"NONE"/],
  ["AWS_IAM", T.lambdaFunctionUrl, { functionName: UNKNOWN, authorizationType: "AWS_IAM" }, null],
]);

resourceCases("lambda-permission-not-public", "mandatory", "high", [
  [
    "anyone may invoke",
    T.lambdaPermission,
    { function: UNKNOWN, action: "lambda:InvokeFunction", principal: "*" },
    /principal is "\*"/,
  ],
  [
    "URL permission without auth",
    T.lambdaPermission,
    { function: UNKNOWN, action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" },
    /functionUrlAuthType is "NONE"/,
  ],
  [
    "service principal",
    T.lambdaPermission,
    {
      function: UNKNOWN,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: UNKNOWN,
    },
    null,
  ],
  [
    "* scoped to the organization",
    T.lambdaPermission,
    { function: UNKNOWN, action: "lambda:InvokeFunction", principal: "*", principalOrgId: "o-abc123" },
    null,
  ],
]);

resourceCases("ec2-security-group-no-public-ingress", "mandatory", "high", [
  [
    "SSH from anywhere",
    T.ec2SecurityGroup,
    { vpcId: UNKNOWN, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] },
    /port 22 \(SSH\) to 0\.0\.0\.0\/0/,
  ],
  [
    "all traffic from IPv6 anywhere",
    T.ec2SecurityGroup,
    { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] },
    /every port .* ::\/0/,
  ],
  [
    "HTTPS from anywhere via SecurityGroupRule",
    T.ec2SecurityGroupRule,
    {
      type: "ingress",
      protocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrBlocks: ["0.0.0.0/0"],
      securityGroupId: UNKNOWN,
    },
    /port 443/,
  ],
  [
    "range from anywhere via SecurityGroupIngressRule",
    T.vpcSecurityGroupIngressRule,
    { ipProtocol: "tcp", fromPort: 8000, toPort: 9000, cidrIpv4: "0.0.0.0/0", securityGroupId: UNKNOWN },
    /ports 8000-9000/,
  ],
  [
    "SSH from one IP",
    T.ec2SecurityGroup,
    { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.7/32"] }] },
    null,
  ],
  [
    "egress anywhere is fine",
    T.ec2SecurityGroupRule,
    {
      type: "egress",
      protocol: "-1",
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ["0.0.0.0/0"],
      securityGroupId: UNKNOWN,
    },
    null,
  ],
  [
    "from another security group",
    T.vpcSecurityGroupIngressRule,
    {
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: UNKNOWN,
      securityGroupId: UNKNOWN,
    },
    null,
  ],
]);

const instance = (extra: object) => ({
  ami: UNKNOWN,
  instanceType: "g4dn.xlarge",
  metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
  rootBlockDevice: { encrypted: true, volumeSize: 100 },
  ...extra,
});
resourceCases("ec2-imdsv2-required", "mandatory", "high", [
  [
    "metadata options not set",
    T.ec2Instance,
    instance({ metadataOptions: undefined }),
    /IMDSv1 stays available/,
  ],
  ["tokens optional", T.ec2Instance, instance({ metadataOptions: { httpTokens: "optional" } }), /"optional"/],
  [
    "launch template with tokens optional",
    T.ec2LaunchTemplate,
    { metadataOptions: { httpTokens: "optional" } },
    /launch template/,
  ],
  ["tokens required", T.ec2Instance, instance({}), null],
  [
    "instance from a launch template decides there",
    T.ec2Instance,
    instance({ metadataOptions: undefined, launchTemplate: { id: UNKNOWN } }),
    null,
  ],
]);

resourceCases("ec2-ebs-encrypted", "mandatory", "high", [
  [
    "root volume not encrypted",
    T.ec2Instance,
    instance({ rootBlockDevice: { volumeSize: 100 } }),
    /rootBlockDevice\.encrypted/,
  ],
  [
    "data volume not encrypted",
    T.ec2Instance,
    instance({ ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }] }),
    /ebsBlockDevices\[0\] \(\/dev\/sdf\)/,
  ],
  ["standalone volume", T.ebsVolume, { availabilityZone: "eu-west-1a", size: 50 }, /not encrypted/],
  [
    "launch template mapping",
    T.ec2LaunchTemplate,
    {
      metadataOptions: { httpTokens: "required" },
      blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }],
    },
    /blockDeviceMappings\[0\]/,
  ],
  [
    "encrypted root with a KMS key unknown in preview",
    T.ec2Instance,
    instance({ rootBlockDevice: { encrypted: true, kmsKeyId: UNKNOWN } }),
    null,
  ],
  ["encrypted volume", T.ebsVolume, { availabilityZone: "eu-west-1a", encrypted: true }, null],
]);

resourceCases("cost-instance-type-allowlist", "advisory", "medium", [
  [
    "huge notebook",
    T.sagemakerNotebookInstance,
    notebook({ instanceType: "ml.p4d.24xlarge" }),
    /ml\.p4d\.24xlarge/,
  ],
  [
    "training job",
    T.sagemakerTrainingJob,
    {
      trainingJobName: "t",
      roleArn: UNKNOWN,
      resourceConfig: { instanceType: "ml.p3.16xlarge", instanceCount: 2 },
    },
    /resourceConfig\.instanceType/,
  ],
  [
    "tuning job",
    T.sagemakerHyperParameterTuningJob,
    {
      name: "h",
      config: {},
      trainingJobDefinition: { roleArn: UNKNOWN, resourceConfig: { instanceType: "ml.g5.48xlarge" } },
    },
    /trainingJobDefinition\.resourceConfig/,
  ],
  ["EC2 trainer", T.ec2Instance, instance({ instanceType: "p4d.24xlarge" }), /p4d/],
  [
    "endpoint variant",
    T.sagemakerEndpointConfiguration,
    endpointConfig({ productionVariants: [{ instanceType: "ml.m5.24xlarge" }] }),
    /productionVariants\[0\]/,
  ],
  ["allowed notebook", T.sagemakerNotebookInstance, notebook({}), null],
  ["allowed GPU trainer", T.ec2Instance, instance({}), null],
]);

resourceCases("cost-autoscaling-max-capacity", "advisory", "medium", [
  [
    "max above the ceiling",
    T.appautoscalingTarget,
    {
      maxCapacity: 20,
      minCapacity: 1,
      resourceId: UNKNOWN,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      serviceNamespace: "sagemaker",
    },
    /maxCapacity is 20/,
  ],
  [
    "within the ceiling",
    T.appautoscalingTarget,
    {
      maxCapacity: 3,
      minCapacity: 1,
      resourceId: UNKNOWN,
      scalableDimension: "sagemaker:variant:DesiredInstanceCount",
      serviceNamespace: "sagemaker",
    },
    null,
  ],
]);

describe("policy config and enforcement levels", () => {
  test("per-stack ceilings and allow-lists", async () => {
    await client.configure({
      "cost-autoscaling-max-capacity": { enforcementLevel: "mandatory", maxCapacity: 2 },
      "cost-instance-type-allowlist": { allowedInstanceTypes: ["ml.t3.*"] },
    });
    const scaling = await client.analyze({
      type: T.appautoscalingTarget,
      props: { maxCapacity: 3, minCapacity: 1 },
    });
    expect(violationsOf(scaling, "cost-autoscaling-max-capacity")[0].enforcementLevel).toBe("mandatory");
    const nb = await client.analyze({
      type: T.sagemakerNotebookInstance,
      props: notebook({ instanceType: "ml.m5.xlarge" }),
    });
    expect(violationsOf(nb, "cost-instance-type-allowlist")).toHaveLength(1);
    const small = await client.analyze({
      type: T.sagemakerNotebookInstance,
      props: notebook({ instanceType: "ml.t3.large" }),
    });
    expect(violationsOf(small, "cost-instance-type-allowlist")).toEqual([]);
  });

  test("allowedPublicPorts opens a port, never SSH", async () => {
    await client.configure({ "ec2-security-group-no-public-ingress": { allowedPublicPorts: [443, 22] } });
    const https = await client.analyze({
      type: T.ec2SecurityGroupRule,
      props: { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
    });
    expect(violationsOf(https, "ec2-security-group-no-public-ingress")).toEqual([]);
    const ssh = await client.analyze({
      type: T.ec2SecurityGroupRule,
      props: { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    });
    expect(violationsOf(ssh, "ec2-security-group-no-public-ingress")).toHaveLength(1);
  });

  test("exemptResources", async () => {
    await client.configure({
      "sagemaker-notebook-root-access-disabled": { exemptResources: ["lab-notebook"] },
    });
    const result = await client.analyze({
      type: T.sagemakerNotebookInstance,
      name: "lab-notebook",
      props: notebook({ rootAccess: "Enabled" }),
    });
    expect(violationsOf(result, "sagemaker-notebook-root-access-disabled")).toEqual([]);
  });

  test("a decisive value unknown in preview gets the analyzer's advisory", async () => {
    const result = await client.analyze({
      type: T.lambdaFunctionUrl,
      props: { functionName: UNKNOWN, authorizationType: UNKNOWN },
    });
    expect(result.diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["lambda-function-url-auth", "advisory"],
    ]);
    expect(result.diagnostics[0].message).toMatch(
      /can't run policy 'lambda-function-url-auth' .* during preview: string value at \.authorizationType/,
    );
  });
});

describe("S3 bucket guardrails (stack policies)", () => {
  const bucket = (name: string, props: Record<string, unknown> = {}): TestResource => ({
    type: T.s3Bucket,
    name,
    props: { bucket: name, ...props },
  });
  const block = (bucketRef: unknown, flags = true, deps?: string[]): TestResource => ({
    type: T.s3BucketPublicAccessBlock,
    name: `pab-${String(bucketRef).slice(0, 12)}`,
    props: {
      bucket: bucketRef,
      blockPublicAcls: flags,
      blockPublicPolicy: flags,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    propertyDependencies: deps ? { bucket: deps } : undefined,
  });
  const sse = (bucketRef: unknown, algorithm = "aws:kms", deps?: string[]): TestResource => ({
    type: T.s3BucketServerSideEncryptionConfiguration,
    name: `sse-${String(bucketRef).slice(0, 12)}`,
    props: {
      bucket: bucketRef,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyId: KMS_ALIAS },
          bucketKeyEnabled: true,
        },
      ],
    },
    propertyDependencies: deps ? { bucket: deps } : undefined,
  });
  const tlsPolicy = (bucketRef: string, effect = "Deny"): TestResource => ({
    type: T.s3BucketPolicy,
    name: `policy-${bucketRef}`,
    props: {
      bucket: bucketRef,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TlsOnly",
            Effect: effect,
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn:aws:s3:::${bucketRef}`, `arn:aws:s3:::${bucketRef}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
  });

  test("a bare bucket violates all three", async () => {
    const result = await client.analyzeStack([bucket("ml-data")]);
    expect(violationsOf(result, "s3-bucket-public-access-block")[0].message).toMatch(
      /bucket "ml-data" has no BucketPublicAccessBlock/,
    );
    expect(violationsOf(result, "s3-bucket-encryption")[0].message).toMatch(
      /has no default encryption configuration/,
    );
    expect(violationsOf(result, "s3-bucket-tls-only")[0].message).toMatch(/has no bucket policy/);
    expect(violationsOf(result, "s3-bucket-public-access-block")[0].urn).toBe(urnOf(T.s3Bucket, "ml-data"));
  });

  test("a block with a setting off", async () => {
    const result = await client.analyzeStack([bucket("ml-data"), block("ml-data", false)]);
    expect(violationsOf(result, "s3-bucket-public-access-block")[0].message).toMatch(
      /leaves blockPublicAcls, blockPublicPolicy off/,
    );
  });

  test("SSE-S3 only is not KMS", async () => {
    const result = await client.analyzeStack([bucket("ml-data"), sse("ml-data", "AES256")]);
    expect(violationsOf(result, "s3-bucket-encryption")[0].message).toMatch(/encrypts with "AES256"/);
  });

  test("an Allow with SecureTransport is not TLS-only", async () => {
    const result = await client.analyzeStack([bucket("ml-data"), tlsPolicy("ml-data", "Allow")]);
    expect(violationsOf(result, "s3-bucket-tls-only")[0].message).toMatch(/without a TLS-only Deny/);
  });

  test("settings for another bucket do not count", async () => {
    const result = await client.analyzeStack([
      bucket("ml-data"),
      block("other-bucket"),
      sse("other-bucket"),
      tlsPolicy("other-bucket"),
    ]);
    expect(violationsOf(result, "s3-bucket-public-access-block")).toHaveLength(1);
  });

  test("a fully configured bucket, matched by known name", async () => {
    const result = await client.analyzeStack([
      bucket("ml-data"),
      block("ml-data"),
      sse("ml-data"),
      tlsPolicy("ml-data"),
    ]);
    // The settings name the bucket by a literal without a dependency: that race is
    // resource-references-have-dependencies' finding (tests/resource-references.test.ts), not an S3 one.
    expect(result.diagnostics.filter((d) => d.policyName.startsWith("s3-"))).toEqual([]);
  });

  test("a bucket with a computed name, matched through dependencies", async () => {
    const b = urnOf(T.s3Bucket, "auto");
    const result = await client.analyzeStack([
      { type: T.s3Bucket, name: "auto", props: { bucketPrefix: "ml-" } },
      block(UNKNOWN, true, [b]),
      sse(UNKNOWN, "aws:kms:dsse", [b]),
      {
        ...tlsPolicy("x"),
        props: { bucket: UNKNOWN, policy: tlsPolicy("x").props.policy },
        propertyDependencies: { bucket: [b] },
      },
    ]);
    expect(result.diagnostics.filter((d) => d.policyName.startsWith("s3-"))).toEqual([]);
  });

  test("a setting whose bucket is unknown and untraceable gets the preview advisory", async () => {
    const result = await client.analyzeStack([bucket("ml-data"), block(UNKNOWN)]);
    const d = violationsOf(result, "s3-bucket-public-access-block");
    expect(d).toHaveLength(1);
    expect(d[0].enforcementLevel).toBe("advisory");
    expect(d[0].message).toMatch(/can't run policy .* during preview/);
  });

  test.each([s3BucketPublicAccessBlock, s3BucketEncryption, s3BucketTlsOnly])(
    "no buckets: $name is not applicable",
    async (policy) => {
      const result = await runStackPolicy(policy, [
        { type: T.lambdaFunction, name: "fn", props: { role: UNKNOWN, reservedConcurrentExecutions: 5 } },
      ]);
      expect(result.reports).toEqual([]);
      expect(result.notApplicable).toMatch(/bucket/);
    },
  );
});
