/**
 * The physical identifiers of a stack's resources (names, ARNs, ids, S3 URIs), derived only from
 * what the stack knows, and the lookup from a string found in another resource's inputs to the
 * resources it names. A value unknown at preview is simply not an identifier.
 *
 * Matching is on whole identifiers, never on substrings: `ml-platform-dev` does not name the
 * bucket `ml-platform-dev-data`, and `ml-platform-dev-notebook-idle-stop` does not name the
 * notebook `ml-platform-dev-notebook`. Structured forms name a resource with a path below it:
 * `arn:aws:s3:::bucket/key/*` and `s3://bucket/key` name the bucket (and an object of the stack at
 * that key or under that prefix), `...:log-group:NAME:*` names the log group, `...:function:NAME:live`
 * the function, `endpoint/NAME/variant/V` (an Application Auto Scaling resource id) the endpoint.
 */
import { parseArn } from "./arn";
import { Unknown } from "./props";

/** A resource as this module sees it: plain props (Unknown markers where unknown at preview). */
export interface IdentifiedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly props: unknown;
  /** The region of the resource's provider, when the stack states it. */
  readonly region?: string;
}

/** One way of naming a resource. `arn` keeps service and resource part; region/account are checked on lookup. */
export type Identifier =
  | { readonly kind: "name"; readonly value: string }
  | { readonly kind: "id"; readonly value: string }
  | { readonly kind: "arn"; readonly service: string; readonly resource: string }
  | { readonly kind: "bucket"; readonly bucket: string }
  | { readonly kind: "object"; readonly bucket: string; readonly key: string }
  /** Keys under this prefix are written by the resource (a training job's output). */
  | { readonly kind: "prefix"; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "endpoint"; readonly name: string };

interface TypeRule {
  /** What the resource is, for messages. */
  readonly label: string;
  /** Properties that define this resource's own identity: never read as references to others. */
  readonly own: readonly string[];
  /** Its identifiers, from its known inputs. */
  readonly ids: (p: (key: string) => string | undefined) => Identifier[];
  /** A hint for the message's second fix: the output to pass instead of the literal. */
  readonly output: string;
}

const iam = (kind: string) => (p: (k: string) => string | undefined) => {
  const name = p("name");
  if (!name) return [];
  const path = p("path") ?? "/";
  return [
    { kind: "name" as const, value: name },
    { kind: "arn" as const, service: "iam", resource: `${kind}${path}${name}` },
  ];
};

const named =
  (service: string, prefix: string, key = "name") =>
  (p: (k: string) => string | undefined): Identifier[] => {
    const name = p(key);
    return name
      ? [
          { kind: "name", value: name },
          { kind: "arn", service, resource: `${prefix}${name}` },
        ]
      : [];
  };

const bucket = (p: (k: string) => string | undefined): Identifier[] => {
  const b = p("bucket");
  return b
    ? [
        { kind: "name", value: b },
        { kind: "bucket", bucket: b },
      ]
    : [];
};

const object = (p: (k: string) => string | undefined): Identifier[] => {
  const b = p("bucket");
  const k = p("key");
  return b && k ? [{ kind: "object", bucket: b, key: k.replace(/^\//, "") }] : [];
};

/**
 * A training job writes its model to `<S3OutputPath>/<TrainingJobName>/output/model.tar.gz`
 * (SageMaker API reference, ModelArtifacts.S3ModelArtifacts), so keys under
 * `<S3OutputPath>/<TrainingJobName>/` exist only once the job has run.
 */
function trainingOutput(p: (k: string) => string | undefined): Identifier[] {
  const name = p("trainingJobName");
  const output = p("outputDataConfig.s3OutputPath");
  const m = output ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(output) : null;
  if (!name || !m) return [];
  const base = m[2] === "" || m[2].endsWith("/") ? m[2] : `${m[2]}/`;
  return [{ kind: "prefix", bucket: m[1], prefix: `${base}${name}/` }];
}

/**
 * The resource types whose identifiers the stack can know before they exist (@pulumi/aws v7 tokens;
 * `tests/resource-references.test.ts` checks each against the installed provider). Any other resource
 * is still identified by its own `arn` and `id` outputs once they are known.
 */
export const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  "aws:s3/bucket:Bucket": { label: "S3 bucket", own: ["bucket"], ids: bucket, output: "bucket.bucket" },
  "aws:s3/bucketV2:BucketV2": { label: "S3 bucket", own: ["bucket"], ids: bucket, output: "bucket.bucket" },
  "aws:s3/bucketObjectv2:BucketObjectv2": {
    label: "S3 object",
    own: ["key"],
    ids: object,
    output: "object.key",
  },
  "aws:s3/bucketObject:BucketObject": { label: "S3 object", own: ["key"], ids: object, output: "object.key" },
  "aws:kms/alias:Alias": {
    label: "KMS alias",
    own: ["name"],
    // The alias name is the ARN's resource part as it is (`alias/<name>`).
    ids: named("kms", ""),
    output: "alias.arn",
  },
  "aws:kms/key:Key": { label: "KMS key", own: [], ids: () => [], output: "key.arn" },
  "aws:iam/role:Role": { label: "IAM role", own: ["name", "path"], ids: iam("role"), output: "role.arn" },
  "aws:iam/instanceProfile:InstanceProfile": {
    label: "IAM instance profile",
    own: ["name", "path"],
    ids: iam("instance-profile"),
    output: "instanceProfile.name",
  },
  "aws:iam/policy:Policy": {
    label: "IAM policy",
    own: ["name", "path"],
    // A managed policy is referred to by ARN; its bare name is too generic to be a reference.
    ids: (p) => iam("policy")(p).filter((i) => i.kind === "arn"),
    output: "policy.arn",
  },
  "aws:iam/user:User": { label: "IAM user", own: ["name", "path"], ids: iam("user"), output: "user.name" },
  "aws:iam/group:Group": {
    label: "IAM group",
    own: ["name", "path"],
    ids: iam("group"),
    output: "group.name",
  },
  "aws:sagemaker/endpoint:Endpoint": {
    label: "SageMaker endpoint",
    own: ["name"],
    ids: (p) => {
      const name = p("name");
      return name ? [...named("sagemaker", "endpoint/")(p), { kind: "endpoint", name }] : [];
    },
    output: "endpoint.name",
  },
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": {
    label: "SageMaker endpoint configuration",
    own: ["name"],
    ids: named("sagemaker", "endpoint-config/"),
    output: "endpointConfiguration.name",
  },
  "aws:sagemaker/model:Model": {
    label: "SageMaker model",
    own: ["name"],
    ids: named("sagemaker", "model/"),
    output: "model.name",
  },
  "aws:sagemaker/notebookInstance:NotebookInstance": {
    label: "SageMaker notebook instance",
    own: ["name"],
    ids: named("sagemaker", "notebook-instance/"),
    output: "notebookInstance.name",
  },
  "aws:sagemaker/notebookInstanceLifecycleConfiguration:NotebookInstanceLifecycleConfiguration": {
    label: "SageMaker notebook lifecycle configuration",
    own: ["name"],
    ids: named("sagemaker", "notebook-instance-lifecycle-config/"),
    output: "lifecycleConfiguration.name",
  },
  "aws:sagemaker/trainingJob:TrainingJob": {
    label: "SageMaker training job",
    own: ["trainingJobName"],
    ids: (p) => [...named("sagemaker", "training-job/", "trainingJobName")(p), ...trainingOutput(p)],
    output: "trainingJob.trainingJobName",
  },
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": {
    label: "SageMaker tuning job",
    own: ["name"],
    ids: named("sagemaker", "hyper-parameter-tuning-job/"),
    output: "tuningJob.name",
  },
  "aws:lambda/function:Function": {
    label: "Lambda function",
    own: ["name"],
    ids: named("lambda", "function:"),
    output: "fn.name",
  },
  "aws:lambda/alias:Alias": {
    label: "Lambda alias",
    own: ["name"],
    ids: (p) => {
      const fn = p("functionName");
      const name = p("name");
      // functionName may itself be an ARN; only a plain name lets us assemble the alias ARN.
      return fn && name && !fn.startsWith("arn:")
        ? [{ kind: "arn", service: "lambda", resource: `function:${fn}:${name}` }]
        : [];
    },
    output: "alias.arn",
  },
  "aws:cloudwatch/logGroup:LogGroup": {
    label: "CloudWatch log group",
    own: ["name"],
    ids: named("logs", "log-group:"),
    output: "logGroup.name",
  },
  "aws:ssm/parameter:Parameter": {
    label: "SSM parameter",
    own: ["name"],
    ids: (p) => {
      const name = p("name");
      return name
        ? [
            { kind: "name", value: name },
            { kind: "arn", service: "ssm", resource: `parameter/${name.replace(/^\//, "")}` },
          ]
        : [];
    },
    output: "parameter.name",
  },
  "aws:sns/topic:Topic": { label: "SNS topic", own: ["name"], ids: named("sns", ""), output: "topic.arn" },
  "aws:sqs/queue:Queue": { label: "SQS queue", own: ["name"], ids: named("sqs", ""), output: "queue.url" },
  "aws:ecr/repository:Repository": {
    label: "ECR repository",
    own: ["name"],
    ids: named("ecr", "repository/"),
    output: "repository.repositoryUrl",
  },
  "aws:dynamodb/table:Table": {
    label: "DynamoDB table",
    own: ["name"],
    ids: named("dynamodb", "table/"),
    output: "table.name",
  },
  "aws:appautoscaling/target:Target": {
    label: "Application Auto Scaling target",
    own: [],
    // A scaling policy names its target by the target's resource id.
    ids: (p) => {
      const id = p("resourceId");
      return id ? [{ kind: "name", value: id }] : [];
    },
    output: "target.resourceId",
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    label: "security group",
    own: ["name"],
    ids: () => [],
    output: "sg.id",
  },
  "aws:ec2/subnet:Subnet": { label: "subnet", own: [], ids: () => [], output: "subnet.id" },
  "aws:ec2/vpc:Vpc": { label: "VPC", own: [], ids: () => [], output: "vpc.id" },
};

/** Services whose names (and so ARNs) SageMaker compares case-insensitively: the CreateEndpoint API
 * reference says the endpoint name "is case-insensitive in CreateEndpoint". */
const CASE_INSENSITIVE_SERVICES = new Set(["sagemaker"]);

/** Ids AWS mints with a type prefix (sg-, subnet-, vpc-, vpce-, i-, ...): distinctive enough to match as values. */
const PREFIXED_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*-[0-9a-f]{8,17}$/;

/** Properties every resource has about itself, never references to others. */
const SELF_PROPS = ["name", "namePrefix", "arn", "id", "urn"];

export function labelOf(type: string): string {
  return TYPE_RULES[type]?.label ?? type;
}

export function outputHintOf(type: string): string | undefined {
  return TYPE_RULES[type]?.output;
}

/** The top-level properties that are this resource's own identity (skipped when looking for references). */
export function ownProps(type: string): Set<string> {
  return new Set([...SELF_PROPS, ...(TYPE_RULES[type]?.own ?? [])]);
}

/** A known, non-empty string at a dotted path of plain props. */
function knownString(props: unknown, path: string): string | undefined {
  let v: unknown = props;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object" || v instanceof Unknown) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The identifiers of one resource, from its known inputs (and its own `arn`/`id` when known). */
export function identifiersOf(r: IdentifiedResource): Identifier[] {
  const p = (k: string) => knownString(r.props, k);
  const out: Identifier[] = [...(TYPE_RULES[r.type]?.ids(p) ?? [])];
  const arn = parseArn(p("arn") ?? "");
  if (arn) out.push({ kind: "arn", service: arn.service, resource: arn.resource });
  const id = p("id");
  if (id && PREFIXED_ID.test(id)) out.push({ kind: "id", value: id });
  return out;
}

export interface LookupOptions {
  /** Accounts an ARN may name to be this stack's; empty: any account. */
  readonly accountIds: readonly string[];
}

/** Where references are looked up: every identifier of every resource, by kind. */
export class IdentifierIndex {
  private readonly names = new Map<string, IdentifiedResource[]>();
  private readonly arns = new Map<string, IdentifiedResource[]>();
  private readonly buckets = new Map<string, IdentifiedResource[]>();
  private readonly objects: { bucket: string; key: string; r: IdentifiedResource }[] = [];
  private readonly prefixes: { bucket: string; prefix: string; r: IdentifiedResource }[] = [];

  constructor(
    resources: readonly IdentifiedResource[],
    private readonly options: LookupOptions,
  ) {
    for (const r of resources) {
      for (const id of identifiersOf(r)) {
        switch (id.kind) {
          case "name":
          case "id":
            add(this.names, id.value, r);
            if (caseInsensitive(r.type)) add(this.names, ci(id.value), r);
            break;
          case "arn":
            add(this.arns, arnKey(id.service, id.resource), r);
            break;
          case "bucket":
            add(this.buckets, id.bucket, r);
            break;
          case "object":
            this.objects.push({ bucket: id.bucket, key: id.key, r });
            break;
          case "prefix":
            this.prefixes.push({ bucket: id.bucket, prefix: id.prefix, r });
            break;
          case "endpoint":
            add(this.names, `endpoint:${ci(id.name)}`, r);
            break;
        }
      }
    }
  }

  /**
   * What one string value (a whole value, or a token of a text) names, as requirements: each is a
   * list of alternatives (a bare name shared by two resources, e.g. a role and an instance profile,
   * may mean either), and every requirement must be met (`s3://bucket/key` needs the bucket and the
   * object at that key).
   */
  lookup(value: string): IdentifiedResource[][] {
    const names = unique([...(this.names.get(value) ?? []), ...(this.names.get(ci(value)) ?? [])]);
    const out: IdentifiedResource[][] = names.length > 0 ? [names] : [];
    if (value.startsWith("arn:")) {
      out.push(...this.lookupArn(value).map((r) => [r]));
    } else if (/^s3:\/\//i.test(value)) {
      const rest = value.slice(5);
      const slash = rest.indexOf("/");
      const b = slash < 0 ? rest : rest.slice(0, slash);
      const key = slash < 0 ? "" : rest.slice(slash + 1);
      out.push(...this.lookupS3(b, key, true).map((r) => [r]));
    } else {
      const scalable = /^endpoint\/([^/]+)\/variant\/[^/]+$/.exec(value);
      if (scalable) {
        out.push(...(this.names.get(`endpoint:${ci(scalable[1])}`) ?? []).map((r) => [r]));
      }
    }
    // The same resource reached two ways (its name and its ARN index) is one requirement.
    const seen = new Set<IdentifiedResource>();
    return out.filter((alternatives) => {
      if (alternatives.length === 1 && seen.has(alternatives[0])) return false;
      alternatives.forEach((r) => seen.add(r));
      return true;
    });
  }

  private lookupArn(value: string): IdentifiedResource[] {
    const arn = parseArn(value);
    if (!arn || !/^aws[a-z-]*$/.test(arn.partition)) return [];
    const candidates: IdentifiedResource[] = [];
    if (arn.service === "s3" && arn.region === "" && arn.account === "") {
      const slash = arn.resource.indexOf("/");
      const b = slash < 0 ? arn.resource : arn.resource.slice(0, slash);
      const key = slash < 0 ? "" : arn.resource.slice(slash + 1);
      candidates.push(...this.lookupS3(b, key, false));
    }
    for (const resource of resourceForms(arn.service, arn.resource)) {
      if (hasWildcard(resource)) continue;
      candidates.push(...(this.arns.get(arnKey(arn.service, resource)) ?? []));
    }
    return unique(candidates.filter((r) => this.accepts(arn.region, arn.account, r)));
  }

  private lookupS3(b: string, key: string, prefixes: boolean): IdentifiedResource[] {
    if (b === "" || hasWildcard(b)) return [];
    const out = [...(this.buckets.get(b) ?? [])];
    if (key !== "" && !hasWildcard(key)) {
      for (const o of this.objects) {
        if (o.bucket !== b) continue;
        const under = key.endsWith("/") ? o.key.startsWith(key) : o.key.startsWith(`${key}/`);
        if (o.key === key || (prefixes && under)) out.push(o.r);
      }
      for (const w of this.prefixes) {
        if (w.bucket === b && key.startsWith(w.prefix)) out.push(w.r);
      }
    }
    return out;
  }

  /** Region and account of an ARN against the resource's: equal, empty (global services) or a wildcard. */
  private accepts(region: string, account: string, r: IdentifiedResource): boolean {
    const regionOk = region === "" || !r.region || globMatches(region, r.region);
    const accounts = this.options.accountIds;
    const accountOk =
      account === "" || accounts.length === 0 || accounts.some((a) => globMatches(account, a));
    return regionOk && accountOk;
  }
}

/**
 * The resource parts under which an ARN's resource may be indexed: itself, and for services whose ARNs
 * carry a suffix below the resource (log streams, function qualifiers), the resource without it.
 */
function resourceForms(service: string, resource: string): string[] {
  const forms = [resource];
  if (service === "logs") {
    const m = /^(log-group:.+?)(:log-stream:.*|:\*)$/.exec(resource);
    if (m) forms.push(m[1]);
  } else if (service === "lambda") {
    const m = /^(function:[^:]+):[^:]+$/.exec(resource);
    if (m) forms.push(m[1]);
  }
  return forms;
}

function caseInsensitive(type: string): boolean {
  return type.startsWith("aws:sagemaker/");
}

function arnKey(service: string, resource: string): string {
  return `${service}|${CASE_INSENSITIVE_SERVICES.has(service) ? resource.toLowerCase() : resource}`;
}

function ci(v: string): string {
  return `ci:${v.toLowerCase()}`;
}

function add<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else {
    map.set(key, [value]);
  }
}

function unique<T>(list: T[]): T[] {
  return [...new Set(list)];
}

function hasWildcard(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

/** IAM-style glob (`*`, `?`), as ARN region and account fields use it. */
function globMatches(pattern: string, value: string): boolean {
  if (!hasWildcard(pattern)) return pattern === value;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}
