/**
 * S3 bucket guardrails. In @pulumi/aws v7 a bucket's settings live in separate resources (public
 * access block, encryption configuration, bucket policy), so these are stack policies: each bucket
 * is matched with its settings through the `bucket` input, by known name or by dependency on the
 * bucket resource when the name is computed.
 */
import { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { conditionIsBoolean, conditionValues, parsePolicyDocument } from "../lib/iam-document";
import { Props, configOf, exemptResourcesSchema, isExempt, stringListSchema } from "../lib/policy-kit";
import { Unknown, prop, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";
import { keysOfReference, keysOfResource, meets } from "../lib/stack-refs";

interface Setting {
  readonly resource: PolicyResource;
  readonly keys: Set<string>;
  readonly unknown?: Unknown;
}

/** Runs `judge` for every bucket with the settings resources of `settingType` that belong to it. */
function eachBucket(
  args: StackValidationArgs,
  settingType: string,
  judge: (bucket: PolicyResource, settings: PolicyResource[], report: ReportViolation) => void,
  report: ReportViolation,
): void {
  const buckets = args.resources.filter((r) => r.type === T.s3Bucket && !isExempt(args, r.name, r.urn));
  if (buckets.length === 0) {
    args.notApplicable("the stack has no S3 buckets");
  }
  const settings: Setting[] = args.resources
    .filter((r) => r.type === settingType)
    .map((r) => {
      const ref = keysOfReference(r, "bucket", args.resources);
      return { resource: r, keys: ref.keys, unknown: ref.keys.size === 0 ? ref.unknown : undefined };
    });
  const unmatched = settings.find((s) => s.unknown);
  for (const bucket of buckets) {
    const keys = keysOfResource(bucket, ["bucket"]);
    const mine = settings.filter((s) => meets(s.keys, keys)).map((s) => s.resource);
    if (mine.length === 0 && unmatched?.unknown) {
      // A setting whose bucket can't be known yet might be this bucket's: the analyzer says it can't judge.
      throw unmatched.unknown.error;
    }
    judge(bucket, mine, report);
  }
}

function bucketName(b: PolicyResource): string {
  const v = prop(b.props, "bucket");
  return typeof v === "string" ? `"${v}"` : `"${b.name}"`;
}

export const s3BucketPublicAccessBlock: StackValidationPolicy = {
  name: "s3-bucket-public-access-block",
  description: "Every S3 bucket must have a public access block with all four settings on.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateStack: (args, report) =>
    eachBucket(
      args,
      T.s3BucketPublicAccessBlock,
      (bucket, blocks, r) => {
        if (blocks.length === 0) {
          r(
            `bucket ${bucketName(bucket)} has no BucketPublicAccessBlock. Fix: add one with all four settings true.`,
            bucket.urn,
          );
          return;
        }
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        for (const block of blocks) {
          const off = flags.filter((f) => {
            const v = prop(block.props, f);
            if (v instanceof Unknown) {
              throw v.error;
            }
            return v !== true;
          });
          if (off.length > 0) {
            r(
              `bucket ${bucketName(bucket)}: public access block "${block.name}" leaves ${off.join(", ")} off. Fix: set all four to true.`,
              block.urn,
            );
          }
        }
      },
      report,
    ),
};

export interface S3EncryptionConfig {
  allowedAlgorithms: string[];
}

export const s3EncryptionDefaults: S3EncryptionConfig = { allowedAlgorithms: ["aws:kms", "aws:kms:dsse"] };

export const s3BucketEncryption: StackValidationPolicy = {
  name: "s3-bucket-encryption",
  description:
    "Every S3 bucket must have default encryption with a KMS key (SSE-KMS), not only the S3-managed default.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    'Add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms", a customer-managed kmsMasterKeyId and bucketKeyEnabled.',
  configSchema: {
    properties: {
      allowedAlgorithms: stringListSchema(
        "Accepted sseAlgorithm values.",
        s3EncryptionDefaults.allowedAlgorithms,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateStack: (args, report) => {
    const cfg = configOf(args, s3EncryptionDefaults);
    eachBucket(
      args,
      T.s3BucketServerSideEncryptionConfiguration,
      (bucket, configs, r) => {
        const algorithms: unknown[] = [];
        for (const c of configs) {
          const rules = snapshot(prop(c.props, "rules"));
          if (rules instanceof Unknown) {
            throw rules.error;
          }
          for (const rule of (Array.isArray(rules) ? rules : []) as Props[]) {
            const byDefault = rule?.["applyServerSideEncryptionByDefault"] as Props | undefined;
            algorithms.push(byDefault?.["sseAlgorithm"]);
          }
        }
        // The deprecated inline setting on the bucket still counts.
        const inline = snapshot(prop(bucket.props, "serverSideEncryptionConfiguration")) as Props | undefined;
        const inlineRule = inline?.["rule"] as Props | undefined;
        const inlineDefault = inlineRule?.["applyServerSideEncryptionByDefault"] as Props | undefined;
        if (inlineDefault) {
          algorithms.push(inlineDefault["sseAlgorithm"]);
        }
        const unknown = algorithms.find((a): a is Unknown => a instanceof Unknown);
        if (unknown) {
          throw unknown.error;
        }
        if (!algorithms.some((a) => typeof a === "string" && cfg.allowedAlgorithms.includes(a))) {
          r(
            `bucket ${bucketName(bucket)} ${algorithms.length === 0 ? "has no default encryption configuration" : `encrypts with ${algorithms.map((a) => JSON.stringify(a)).join(", ")}`}; expected one of ${cfg.allowedAlgorithms.join(", ")}. ` +
              'Fix: add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms" and your KMS key.',
            bucket.urn,
          );
        }
      },
      report,
    );
  },
};

/** A Deny for everyone on S3 (or everything) when the request is not over TLS. */
function deniesInsecureTransport(doc: unknown): boolean | Unknown {
  const parsed = parsePolicyDocument(doc);
  if (parsed.kind === "unknown") {
    return parsed.marker;
  }
  if (parsed.kind !== "ok") {
    return false;
  }
  return parsed.statements.some((s) => {
    if (s.effect !== "Deny") {
      return false;
    }
    const p = s.principal;
    const everyone =
      p === "*" ||
      (p !== null &&
        typeof p === "object" &&
        !(p instanceof Unknown) &&
        [(p as Props)["AWS"]].flat().includes("*"));
    const actions = Array.isArray(s.action) ? s.action : [];
    const allS3 = actions.some((a) => a === "*" || (typeof a === "string" && a.toLowerCase() === "s3:*"));
    const insecure = conditionIsBoolean(conditionValues(s.condition, "Bool", "aws:SecureTransport"), false);
    return everyone && allS3 && insecure;
  });
}

export const s3BucketTlsOnly: StackValidationPolicy = {
  name: "s3-bucket-tls-only",
  description: "Every S3 bucket policy must deny requests that do not use TLS (aws:SecureTransport false).",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    'Add a bucket policy statement: Effect Deny, Principal "*", Action "s3:*", Resource the bucket and bucket/*, Condition {"Bool": {"aws:SecureTransport": "false"}}.',
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateStack: (args, report) =>
    eachBucket(
      args,
      T.s3BucketPolicy,
      (bucket, policies, r) => {
        const docs = policies.map((p) => prop(p.props, "policy"));
        const inline = prop(bucket.props, "policy");
        if (inline !== undefined) {
          docs.push(inline);
        }
        let unknown: Unknown | undefined;
        for (const d of docs) {
          const v = d instanceof Unknown ? d : deniesInsecureTransport(d);
          if (v === true) {
            return;
          }
          if (v instanceof Unknown) {
            unknown ??= v;
          }
        }
        if (unknown) {
          throw unknown.error;
        }
        r(
          `bucket ${bucketName(bucket)} ${docs.length === 0 ? "has no bucket policy" : "has a bucket policy without a TLS-only Deny"}. ` +
            'Fix: add a statement denying s3:* to "*" when aws:SecureTransport is "false".',
          bucket.urn,
        );
      },
      report,
    ),
};
