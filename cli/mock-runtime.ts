/**
 * Runs a Pulumi program (the function a program module exports, or its top-level code wrapped in
 * a function) in-process, inside a root stack resource, under Pulumi's runtime mocks with the semantics of a first
 * `pulumi preview` of a new stack: inputs are what the program declares, provider-computed outputs
 * (ids, ARNs) stay unknown, and invokes are answered by `answerInvoke` with realistic values.
 * Every resource registration is captured with its URN, parent, dependencies and inputs.
 *
 * Used by the test harness (test/harness.ts) and the offline plan (cli/plan).
 */
import * as pulumi from "@pulumi/pulumi";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { answerKmsAlias, KMS_ALIAS_TOKEN } from "./invokes/kms-alias";
import { answerS3Objects, S3_OBJECTS_TOKEN } from "./invokes/s3-objects";

// Wire-level markers of the Pulumi RPC protocol (see @pulumi/pulumi/runtime/rpc).
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/** How an unknown-at-preview value appears in captured inputs. */
export const UNKNOWN = "[unknown]";

export interface CapturedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent resource; the stack itself for top-level resources. */
  parent?: string;
  /** URNs this resource depends on (dependsOn and inputs). */
  dependencies: string[];
  /** Inputs with unknowns as `"[unknown]"` and secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Property paths (dotted) whose values are secret. */
  secretPaths: string[];
  /** Inputs exactly as sent to the engine (wire form, with sentinels), for analyzers. */
  wireInputs: Record<string, unknown>;
  /** Provider reference (`<provider urn>::<id>`) when the resource names an explicit provider. */
  provider?: string;
  /** Per input property, the URNs its value came from (as the engine records them). */
  propertyDependencies: Record<string, string[]>;
  /** Resource options the engine hands to analyzers. */
  options: CapturedOptions;
  /** Version of the resource's package (the SDK sends it so the engine picks a default provider). */
  version?: string;
}

export interface CapturedOptions {
  protect: boolean;
  ignoreChanges: string[];
  /** Set only when the program set `deleteBeforeReplace`. */
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs: string[];
  /** Aliases given as URNs. */
  aliases: string[];
  /** Custom timeouts as Pulumi duration strings ("5m", "1h30m"); empty when not set. */
  customTimeouts: { create: string; update: string; delete: string };
  /** Set only when the program set `retainOnDelete: true` (the engine forgets it instead of deleting it). */
  retainOnDelete?: true;
}

export interface CapturedInvoke {
  token: string;
  args: Record<string, unknown>;
}

export interface MockRunOptions {
  project: string;
  stack: string;
  /** Flat config, `namespace:key` -> string (objects as JSON text), as in Pulumi.<stack>.yaml. */
  config?: Record<string, string>;
  /** Keys of `config` that are secrets. */
  secretKeys?: string[];
  /** Organization name for URNs and `pulumi.getOrganization()`. Default `organization`. */
  organization?: string;
  /** Invoke tokens we have no answer for fail the run when true (tests); else they return {}. */
  strictInvokes?: boolean;
}

export interface MockRunResult<T> {
  resources: CapturedResource[];
  invokes: CapturedInvoke[];
  /** Invoke tokens that had no realistic answer (non-strict runs). */
  unansweredInvokes: string[];
  result: T;
}

/** The fixed identity that mocked invokes report. */
export const MOCK_ACCOUNT_ID = "123456789012";

/** Account that publishes the PyTorch deep-learning containers in most commercial regions. */
const DLC_ACCOUNT = "763104351884";

export function answerInvoke(
  token: string,
  args: Record<string, unknown>,
  config: Record<string, string>,
): Record<string, unknown> | undefined {
  const region = (args.region as string | undefined) ?? config["aws:region"] ?? "us-east-1";
  const partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  const dnsSuffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:${partition}:sts::${MOCK_ACCOUNT_ID}:assumed-role/platform-deployer/preview`,
        userId: "AROAEXAMPLEPREVIEW:preview",
        id: MOCK_ACCOUNT_ID,
      };
    case "aws:index/getRegion:getRegion":
      return {
        region,
        name: region,
        id: region,
        endpoint: `ec2.${region}.${dnsSuffix}`,
        description: region,
      };
    case "aws:index/getPartition:getPartition":
      return {
        partition,
        dnsSuffix,
        reverseDnsPrefix: dnsSuffix.split(".").reverse().join("."),
        id: partition,
      };
    case "aws:index/getAvailabilityZones:getAvailabilityZones": {
      const letters = ["a", "b", "c"];
      return {
        names: letters.map((l) => `${region}${l}`),
        zoneIds: letters.map((_, i) => `use1-az${i + 1}`),
        groupNames: [region],
        id: region,
      };
    }
    case "aws:ssm/getParameter:getParameter": {
      const name = String(args.name ?? "");
      // Public SSM parameters of AMIs (DLAMI, AL2023) resolve to an image id.
      const value = /ami|image/i.test(name) ? "ami-0a1b2c3d4e5f60718" : "mock-parameter-value";
      return {
        name,
        type: "String",
        value,
        insecureValue: value,
        version: 1,
        arn: `arn:${partition}:ssm:${region}::parameter${name.startsWith("/") ? "" : "/"}${name}`,
        id: name,
        withDecryption: true,
      };
    }
    case "aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage": {
      const repositoryName = String(args.repositoryName);
      const tag = String(args.imageTag ?? "latest");
      const registryId = DLC_ACCOUNT;
      return {
        registryId,
        registryPath: `${registryId}.dkr.ecr.${region}.${dnsSuffix}/${repositoryName}:${tag}`,
        repositoryName,
        imageTag: tag,
        id: registryId,
      };
    }
    case S3_OBJECTS_TOKEN:
      return answerS3Objects(args);
    case KMS_ALIAS_TOKEN:
      return answerKmsAlias(args, { partition, region, accountId: MOCK_ACCOUNT_ID });
    default:
      return undefined;
  }
}

/** Converts wire-form properties to plain values: unknowns to "[unknown]", secrets unwrapped. */
export function fromWire(value: unknown, path: string, secretPaths: string[]): unknown {
  if (value === UNKNOWN_SENTINEL) return UNKNOWN;
  if (Array.isArray(value)) return value.map((v, i) => fromWire(v, `${path}[${i}]`, secretPaths));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
      secretPaths.push(path);
      return fromWire(obj.value, path, []);
    }
    if (obj[SIG_KEY] === RESOURCE_SIG) return obj.urn;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = fromWire(v, path ? `${path}.${k}` : k, secretPaths);
    return out;
  }
  return value;
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
    out[key] = deps.getUrnsList();
  });
  return out;
}

function optionsOf(req: any): CapturedOptions {
  const timeouts = req.getCustomtimeouts();
  const aliasUrns: string[] = [
    ...req.getAliasurnsList(),
    ...req
      .getAliasesList()
      .map((a: any) => (a.hasUrn?.() ? a.getUrn() : ""))
      .filter((u: string) => u !== ""),
  ];
  return {
    protect: req.getProtect() ?? false,
    ignoreChanges: req.getIgnorechangesList(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    aliases: aliasUrns,
    customTimeouts: {
      create: timeouts?.getCreate() ?? "",
      update: timeouts?.getUpdate() ?? "",
      delete: timeouts?.getDelete() ?? "",
    },
    ...(req.getRetainondelete?.() ? { retainOnDelete: true as const } : {}),
  };
}

// One run at a time: the Pulumi runtime keeps its state in process-wide globals.
let running: Promise<unknown> = Promise.resolve();

export function runUnderMocks<T>(
  program: () => T | Promise<T>,
  options: MockRunOptions,
): Promise<MockRunResult<Awaited<T>>> {
  const run = running.then(() => runExclusive(program, options));
  running = run.catch(() => undefined);
  return run;
}

async function runExclusive<T>(
  program: () => T | Promise<T>,
  options: MockRunOptions,
): Promise<MockRunResult<Awaited<T>>> {
  const config = options.config ?? {};
  const invokes: CapturedInvoke[] = [];
  const unanswered = new Set<string>();
  const resources: CapturedResource[] = [];
  const mocks: pulumi.runtime.Mocks = {
    newResource(args: MockResourceArgs) {
      // First preview: providers have computed nothing yet, so state echoes the inputs and the id is unknown.
      return { id: undefined, state: args.inputs };
    },
    call(args: MockCallArgs) {
      invokes.push({ token: args.token, args: args.inputs });
      const answer = answerInvoke(args.token, args.inputs, config);
      if (answer) return answer;
      if (options.strictInvokes) throw new Error(`no mocked answer for invoke ${args.token}`);
      unanswered.add(args.token);
      return {};
    },
  };
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  await pulumi.runtime.setMocks(
    mocks,
    options.project,
    options.stack,
    true,
    options.organization ?? "organization",
  );

  // Capture what the SDK sends to the monitor: URN, parent and dependencies are only there.
  const settings = require("@pulumi/pulumi/runtime/settings");
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    register(req, (err: unknown, resp: any) => {
      if (!err && resp) {
        const wireInputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const secretPaths: string[] = [];
        resources.push({
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          dependencies: req.getDependenciesList(),
          inputs: fromWire(wireInputs, "", secretPaths) as Record<string, unknown>,
          secretPaths,
          wireInputs,
          provider: req.getProvider() || undefined,
          propertyDependencies: propertyDependenciesOf(req),
          options: optionsOf(req),
          version: req.getVersion() || undefined,
        });
      }
      callback(err, resp);
    });
  };

  // Run inside a root stack resource, as the Pulumi language host does. The stack swallows
  // nothing: a program error is kept here and rethrown once pending registrations are done.
  let result: Awaited<T> | undefined;
  let failure: { error: unknown } | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      result = await program();
    } catch (error) {
      failure = { error };
    }
    return undefined;
  });
  await settings.waitForRPCs();
  if (failure) throw failure.error;
  return { resources, invokes, unansweredInvokes: [...unanswered].sort(), result: result as Awaited<T> };
}
