/**
 * Typed stack configuration for the `ml-platform` namespace.
 *
 * Each section composes the schema of the component it configures: the fields (what is allowed,
 * with the component's defaults) and the cross-field rules come from `components/<name>/args.ts`,
 * never restated here. What stays here is what only a stack has: `enabled` switches, the KMS and
 * model sources, the pairing of sections (the function needs the endpoint, the endpoint a model),
 * and the rule that a setting which does nothing in the chosen mode is an error.
 *
 * `validateConfig` checks the whole namespace before any resource is declared and reports every
 * problem at once, each naming its key, what is allowed and the value it got. docs/config.md is
 * generated from this file by `npm run docs:config`.
 */
import { z } from "zod";
import { ARTIFACT_STORE_DEFAULTS, artifactStoreFields } from "../components/artifact-store";
import { checkEc2Trainer, EC2_TRAINER_DEFAULTS, ec2TrainerFields } from "../components/ec2-trainer";
import {
  autoscalingFields,
  checkEndpointInstance,
  ENDPOINT_DEFAULTS,
  endpointFields,
  MAX_REQUEST_BYTES,
} from "../components/inference-endpoint";
import { checkFunction, FUNCTION_DEFAULTS, functionFields } from "../components/inference-function";
import { checkNetwork, NETWORK_CREATE_ONLY, NETWORK_DEFAULTS, networkFields } from "../components/network";
import { NOTEBOOK_DEFAULTS, notebookFields } from "../components/notebook";
import { PLATFORM_KEY_DEFAULTS, platformKeyFields } from "../components/platform-key";
import {
  ArgProblem,
  bool,
  oneOf,
  pattern,
  problem,
  problemsOf,
  renderMessage,
  show,
  tagsSchema,
  text,
  withDefaults,
  whenValid,
} from "../components/shared/arg-schema";
import { NAME_PATTERNS } from "../components/shared/aws-facts";
import { interfaceServiceSchema, planInterfaceEndpoints } from "../components/shared/interface-endpoints";
import { HYPERPARAMETER_DEFAULTS } from "../components/shared/hyperparameters";
import { LOG_RETENTION_DAYS } from "../components/shared/logs";
import {
  checkTraining,
  checkTuning,
  TRAINING_DEFAULTS,
  trainingFields,
  TUNING_DEFAULTS,
  tuningSchema,
} from "../components/training-cluster";
import { interfaceEndpointNeeds } from "./interface-endpoints";

export const NAMESPACE = "ml-platform";

/** CloudWatch Logs accepts only these retention periods (days). */
export { LOG_RETENTION_DAYS };

/**
 * Defaults of every optional setting: the components' own (imported, never restated) plus the
 * few that only a stack has (`enabled` switches, the autoscaling range a stack starts from).
 */
export const DEFAULTS = {
  parked: false,
  tags: {} as Record<string, string>,
  kms: { mode: "create", ...PLATFORM_KEY_DEFAULTS },
  network: NETWORK_DEFAULTS,
  artifactStore: ARTIFACT_STORE_DEFAULTS,
  notebook: { enabled: true, ...NOTEBOOK_DEFAULTS },
  hyperparameters: HYPERPARAMETER_DEFAULTS,
  training: {
    enabled: true,
    instanceType: TRAINING_DEFAULTS.instanceType,
    instanceCount: TRAINING_DEFAULTS.instanceCount,
    volumeSizeGb: TRAINING_DEFAULTS.volumeSizeGb,
    maxRuntimeHours: TRAINING_DEFAULTS.maxRuntimeHours,
    spot: TRAINING_DEFAULTS.spot,
    frameworkVersion: TRAINING_DEFAULTS.frameworkVersion,
    pythonVersion: TRAINING_DEFAULTS.pythonVersion,
    waitMinutes: TRAINING_DEFAULTS.waitMinutes,
  },
  tuning: { enabled: false, ...TUNING_DEFAULTS },
  ec2Trainer: {
    enabled: false,
    mode: EC2_TRAINER_DEFAULTS.mode,
    volumeSizeGb: EC2_TRAINER_DEFAULTS.volumeSizeGb,
    maxRuntimeHours: EC2_TRAINER_DEFAULTS.maxRuntimeHours,
  },
  /** Instance type of the EC2 trainer when `ec2Trainer.instanceType` is not set. */
  ec2TrainerInstanceTypes: EC2_TRAINER_DEFAULTS.instanceTypes,
  model: { source: "training-job" },
  endpoint: {
    enabled: true,
    mode: ENDPOINT_DEFAULTS.mode,
    variantName: ENDPOINT_DEFAULTS.variantName,
    instanceType: ENDPOINT_DEFAULTS.instanceType,
    serverless: ENDPOINT_DEFAULTS.serverless,
    autoscaling: {
      enabled: false,
      // A stack's starting range; the component itself requires both.
      minCapacity: 1,
      maxCapacity: 3,
      scaleInCooldownSeconds: ENDPOINT_DEFAULTS.scaleInCooldownSeconds,
      scaleOutCooldownSeconds: ENDPOINT_DEFAULTS.scaleOutCooldownSeconds,
    },
    dataCapture: { enabled: false, samplingPercentage: ENDPOINT_DEFAULTS.samplingPercentage },
  },
  inferenceFunction: {
    enabled: true,
    functionUrl: false,
    memorySizeMb: FUNCTION_DEFAULTS.memorySizeMb,
    timeoutSeconds: FUNCTION_DEFAULTS.timeoutSeconds,
    reservedConcurrency: FUNCTION_DEFAULTS.reservedConcurrency,
    provisionedConcurrency: FUNCTION_DEFAULTS.provisionedConcurrency,
    logRetentionDays: FUNCTION_DEFAULTS.logRetentionDays,
    fetchTimeoutMs: FUNCTION_DEFAULTS.fetchTimeoutMs,
    endpointTimeoutMs: FUNCTION_DEFAULTS.endpointTimeoutMs,
    topK: FUNCTION_DEFAULTS.topK,
  },
} as const;

/** A default the component applies itself (shown in docs/config.md; the config leaves it unset). */
const componentDefault = <T extends z.ZodType>(schema: T, value: unknown): T =>
  schema.meta({ componentDefault: value }) as T;

// ---- sections ----

const kmsSchema = z
  .strictObject({
    mode: oneOf(["create", "existing"]).default(DEFAULTS.kms.mode),
    keyArn: pattern(
      NAME_PATTERNS.kmsKeyOrAliasArn,
      "a KMS key ARN (…:key/<id>) or alias ARN (…:alias/<name>)",
    ).optional(),
    ...platformKeyFields,
  })
  .superRefine((kms, ctx) => {
    if (kms.mode === "existing" && !kms.keyArn)
      problem(ctx, ["keyArn"], 'is required when kms.mode is "existing"');
    if (kms.mode === "create" && kms.keyArn)
      problem(
        ctx,
        ["keyArn"],
        'must not be set when kms.mode is "create" (set kms.mode to "existing" to use your key)',
      );
  });

/** Services config adds to, or drops from, what the stack's components need (see stacks/interface-endpoints.ts). */
const interfaceEndpointChangesSchema = z.strictObject({
  add: z
    .array(interfaceServiceSchema, { error: "must be a list of endpoint services such as ecr.api" })
    .default([]),
  drop: z
    .array(interfaceServiceSchema, { error: "must be a list of endpoint services such as sagemaker.api" })
    .default([]),
});

const networkSchema = z
  .strictObject({
    ...withDefaults(networkFields, NETWORK_DEFAULTS),
    interfaceEndpoints: interfaceEndpointChangesSchema.prefault({}),
    vpcId: networkFields.vpcId.optional(),
    subnetIds: networkFields.subnetIds.optional(),
    vpcCidr: networkFields.vpcCidr.optional(),
  })
  .superRefine(checkNetwork);

const artifactStoreSchema = z.strictObject(withDefaults(artifactStoreFields, ARTIFACT_STORE_DEFAULTS));

const notebookSchema = z.strictObject({
  enabled: bool().default(DEFAULTS.notebook.enabled),
  ...withDefaults(notebookFields, NOTEBOOK_DEFAULTS),
});

const trainingSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.training.enabled),
    ...withDefaults(trainingFields, DEFAULTS.training),
    maxWaitHours: trainingFields.maxWaitHours.optional(),
    pretrainedWeightsKey: trainingFields.pretrainedWeightsKey.optional(),
    runId: trainingFields.runId.optional(),
  })
  .superRefine(checkTraining);

const tuningSectionSchema = z
  .strictObject({ enabled: bool().default(DEFAULTS.tuning.enabled), ...tuningSchema.shape })
  .superRefine(checkTuning);

const ec2TrainerSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.ec2Trainer.enabled),
    sessionManager: ec2TrainerFields.sessionManager.default(EC2_TRAINER_DEFAULTS.sessionManager),
    mode: ec2TrainerFields.mode.default(DEFAULTS.ec2Trainer.mode),
    instanceType: componentDefault(
      ec2TrainerFields.instanceType.optional(),
      EC2_TRAINER_DEFAULTS.instanceTypes,
    ),
    volumeSizeGb: ec2TrainerFields.volumeSizeGb.default(DEFAULTS.ec2Trainer.volumeSizeGb),
    maxRuntimeHours: ec2TrainerFields.maxRuntimeHours.default(DEFAULTS.ec2Trainer.maxRuntimeHours),
    sshCidr: ec2TrainerFields.sshCidr.optional(),
    runId: ec2TrainerFields.runId.optional(),
  })
  .superRefine(checkEc2Trainer);

const modelSchema = z
  .strictObject({
    source: oneOf(["training-job", "url"]).default(DEFAULTS.model.source),
    url: pattern(
      /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+\.tar\.gz$/,
      "an s3:// URL of a model.tar.gz, such as s3://bucket/models/model.tar.gz",
    ).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.source === "url" && !m.url) problem(ctx, ["url"], 'is required when model.source is "url"');
    if (m.source === "training-job" && m.url)
      problem(
        ctx,
        ["url"],
        'is only used when model.source is "url"; remove it or set model.source to "url"',
      );
  });

const autoscalingSectionSchema = z.strictObject({
  enabled: bool().default(DEFAULTS.endpoint.autoscaling.enabled),
  minCapacity: autoscalingFields.minCapacity.default(DEFAULTS.endpoint.autoscaling.minCapacity),
  maxCapacity: autoscalingFields.maxCapacity.default(DEFAULTS.endpoint.autoscaling.maxCapacity),
  targetInvocationsPerInstance: autoscalingFields.targetInvocationsPerInstance.optional(),
  peakRequestsPerSecondPerInstance: autoscalingFields.peakRequestsPerSecondPerInstance.optional(),
  // Only with peakRequestsPerSecondPerInstance: the component applies its default there.
  safetyFactor: componentDefault(autoscalingFields.safetyFactor.optional(), ENDPOINT_DEFAULTS.safetyFactor),
  scaleInCooldownSeconds: autoscalingFields.scaleInCooldownSeconds.default(
    DEFAULTS.endpoint.autoscaling.scaleInCooldownSeconds,
  ),
  scaleOutCooldownSeconds: autoscalingFields.scaleOutCooldownSeconds.default(
    DEFAULTS.endpoint.autoscaling.scaleOutCooldownSeconds,
  ),
});

const endpointSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.endpoint.enabled),
    mode: endpointFields.mode.default(DEFAULTS.endpoint.mode),
    variantName: endpointFields.variantName.default(DEFAULTS.endpoint.variantName),
    instanceType: endpointFields.instanceType.default(DEFAULTS.endpoint.instanceType),
    // Unset: the component starts at autoscaling.minCapacity (or 1 without autoscaling).
    initialInstanceCount: componentDefault(
      endpointFields.initialInstanceCount.optional(),
      "1, or endpoint.autoscaling.minCapacity",
    ),
    serverless: z
      .strictObject({
        memorySizeMb: endpointFields.serverless.shape.memorySizeMb
          .unwrap()
          .default(DEFAULTS.endpoint.serverless.memorySizeMb),
        maxConcurrency: endpointFields.serverless.shape.maxConcurrency
          .unwrap()
          .default(DEFAULTS.endpoint.serverless.maxConcurrency),
      })
      .prefault({}),
    autoscaling: autoscalingSectionSchema.prefault({}),
    dataCapture: z
      .strictObject({
        enabled: bool().default(DEFAULTS.endpoint.dataCapture.enabled),
        samplingPercentage: endpointFields.dataCapture.shape.samplingPercentage
          .unwrap()
          .default(DEFAULTS.endpoint.dataCapture.samplingPercentage),
      })
      .prefault({}),
  })
  .superRefine((e, ctx) => {
    if (e.mode !== "instance") {
      if (e.autoscaling.enabled)
        problem(
          ctx,
          ["autoscaling", "enabled"],
          'requires endpoint.mode "instance" (serverless endpoints scale by maxConcurrency)',
        );
      if (e.dataCapture.enabled)
        problem(
          ctx,
          ["dataCapture", "enabled"],
          'requires endpoint.mode "instance" (SageMaker does not capture data from serverless endpoints)',
        );
      return;
    }
    // The component's own rules for an autoscaled instance variant.
    if (e.autoscaling.enabled)
      checkEndpointInstance(
        {
          instanceType: e.instanceType,
          initialInstanceCount: e.initialInstanceCount,
          autoscaling: e.autoscaling,
        },
        ctx,
      );
  });

const inferenceFunctionSchema = z
  .strictObject({
    enabled: bool().default(DEFAULTS.inferenceFunction.enabled),
    ...withDefaults(functionFields, DEFAULTS.inferenceFunction),
    /** Largest image the function accepts; unset means the endpoint's request limit (4 MiB serverless, 6 MiB instance). */
    maxImageBytes: functionFields.maxImageBytes.optional(),
    functionUrl: bool().default(DEFAULTS.inferenceFunction.functionUrl),
  })
  .superRefine(checkFunction);

/** The whole namespace. Unknown keys anywhere are errors. */
export const platformConfigSchema = z
  .strictObject({
    owner: text("the owning team, such as ml-team"),
    costCenter: text("a cost-center code, such as cc-1234"),
    /**
     * Parked: keep what holds data and identity (key, bucket, roles, log groups, the VPC), leave out
     * what bills by the hour or holds capacity; false restores the stack with the same names.
     */
    parked: bool().default(DEFAULTS.parked),
    tags: tagsSchema.default({}),
    kms: kmsSchema.prefault({}),
    network: networkSchema.prefault({}),
    artifactStore: artifactStoreSchema.prefault({}),
    notebook: notebookSchema.prefault({}),
    training: trainingSchema.prefault({}),
    tuning: tuningSectionSchema.prefault({}),
    ec2Trainer: ec2TrainerSchema.prefault({}),
    model: modelSchema.prefault({}),
    endpoint: endpointSchema.prefault({}),
    inferenceFunction: inferenceFunctionSchema.prefault({}),
  })
  .superRefine(
    (c, ctx) => {
      if (c.endpoint.enabled && c.model.source === "training-job" && !c.training.enabled)
        problem(
          ctx,
          ["model", "source"],
          'is "training-job" but training.enabled is false; enable training or set model.source to "url" with model.url',
        );
      const requestLimit = MAX_REQUEST_BYTES[c.endpoint.mode === "serverless" ? "serverless" : "instance"];
      if (c.inferenceFunction.maxImageBytes !== undefined && c.inferenceFunction.maxImageBytes > requestLimit)
        problem(
          ctx,
          ["inferenceFunction", "maxImageBytes"],
          `must be <= ${requestLimit}, the request limit of a ${c.endpoint.mode} endpoint (endpoint.mode) (got ${c.inferenceFunction.maxImageBytes})`,
        );
      if (c.inferenceFunction.enabled && !c.endpoint.enabled)
        problem(
          ctx,
          ["inferenceFunction", "enabled"],
          "requires endpoint.enabled (the function calls the endpoint); disable the function or enable the endpoint",
        );
      // Config's changes to the interface endpoints must change something (the needs of what is on).
      if (c.network.mode === "create")
        for (const p of planInterfaceEndpoints(interfaceEndpointNeeds(c), c.network.interfaceEndpoints)
          .problems)
          problem(ctx, ["network", "interfaceEndpoints", p.key, p.index], p.message);
    },
    whenValid(
      "endpoint",
      "model",
      "training",
      "tuning",
      "inferenceFunction",
      "notebook",
      "network",
      "ec2Trainer",
    ),
  );

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type EndpointConfig = PlatformConfig["endpoint"];
export type InferenceFunctionConfig = PlatformConfig["inferenceFunction"];
export type TrainingConfig = PlatformConfig["training"];
export type TuningConfig = PlatformConfig["tuning"];
export type Ec2TrainerConfig = PlatformConfig["ec2Trainer"];
export type NotebookConfig = PlatformConfig["notebook"];
export type NetworkConfig = PlatformConfig["network"];
export type KmsConfig = PlatformConfig["kms"];
export type Hyperparameters = PlatformConfig["training"]["hyperparameters"];

// ---- settings that do nothing ----

/**
 * A setting that does nothing in the chosen mode is an error naming the key and why: a silently
 * ignored setting is one the user believes is in force. The exception is a section or sub-section
 * switched off with an explicit `enabled: false`: its settings are kept, and take effect when it
 * is switched back on (prod keeps its EC2 trainer's `mode: gpu` that way).
 */
interface InertRule {
  /** The keys the rule covers: every key written under `section` (or just `keys` of it). */
  section: string[];
  keys?: readonly string[];
  /** A reason when the keys do nothing with this (validated) config; undefined when they act. */
  inertBecause(c: PlatformConfig): string | undefined;
  /** The `enabled` switch whose explicit `false` parks these keys. */
  parkedBy?: string[];
}

const INERT_RULES: InertRule[] = [
  {
    section: ["endpoint", "serverless"],
    inertBecause: (c) =>
      c.endpoint.mode === "instance"
        ? 'does nothing with endpoint.mode "instance" (it sizes serverless endpoints only); remove it or set endpoint.mode to "serverless"'
        : undefined,
  },
  {
    section: ["endpoint"],
    keys: ["instanceType", "initialInstanceCount"],
    inertBecause: (c) =>
      c.endpoint.mode === "serverless"
        ? 'does nothing with endpoint.mode "serverless" (serverless endpoints have no instances); remove it or set endpoint.mode to "instance"'
        : undefined,
  },
  {
    section: ["endpoint", "autoscaling"],
    parkedBy: ["endpoint", "autoscaling", "enabled"],
    inertBecause: (c) =>
      c.endpoint.mode === "serverless"
        ? 'does nothing with endpoint.mode "serverless" (serverless endpoints scale by endpoint.serverless.maxConcurrency); remove it or set endpoint.mode to "instance"'
        : !c.endpoint.autoscaling.enabled
          ? "does nothing while endpoint.autoscaling.enabled is false; set it to true, or remove the autoscaling settings"
          : undefined,
  },
  {
    section: ["endpoint", "dataCapture"],
    parkedBy: ["endpoint", "dataCapture", "enabled"],
    inertBecause: (c) =>
      c.endpoint.mode === "serverless"
        ? 'does nothing with endpoint.mode "serverless" (SageMaker does not capture data from serverless endpoints); remove it or set endpoint.mode to "instance"'
        : !c.endpoint.dataCapture.enabled
          ? "does nothing while endpoint.dataCapture.enabled is false; set it to true, or remove it"
          : undefined,
  },
  {
    section: ["network"],
    keys: NETWORK_CREATE_ONLY.filter((k) => k in NETWORK_DEFAULTS),
    inertBecause: (c) =>
      c.network.mode === "existing"
        ? 'does nothing with network.mode "existing" (it shapes a VPC this stack creates); remove it or set network.mode to "create"'
        : undefined,
  },
  {
    section: ["network"],
    keys: ["vpcId", "subnetIds", "vpcCidr"],
    inertBecause: (c) =>
      c.network.mode === "create"
        ? 'is only used when network.mode is "existing"; remove it or set network.mode'
        : undefined,
  },
  {
    section: ["kms"],
    keys: ["deletionWindowDays"],
    inertBecause: (c) =>
      c.kms.mode === "existing"
        ? 'does nothing with kms.mode "existing" (the stack does not own that key); remove it or set kms.mode to "create"'
        : undefined,
  },
  {
    section: ["tuning"],
    parkedBy: ["tuning", "enabled"],
    inertBecause: (c) =>
      !c.tuning.enabled
        ? "does nothing while tuning.enabled is false; set it to true, or remove it"
        : undefined,
  },
  {
    section: ["ec2Trainer"],
    parkedBy: ["ec2Trainer", "enabled"],
    inertBecause: (c) =>
      !c.ec2Trainer.enabled
        ? "does nothing while ec2Trainer.enabled is false; set it to true, or remove it"
        : undefined,
  },
];

function rawAt(raw: unknown, path: readonly string[]): unknown {
  let cur: unknown = raw;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Every key the user wrote that does nothing with this config (see INERT_RULES). */
export function inertSettings(raw: Record<string, unknown>, config: PlatformConfig): ArgProblem[] {
  const problems: ArgProblem[] = [];
  for (const rule of INERT_RULES) {
    const reason = rule.inertBecause(config);
    if (!reason) continue;
    if (rule.parkedBy && rawAt(raw, rule.parkedBy) === false) continue;
    // A whole section switched off explicitly keeps its settings for later.
    const sectionSwitch = [rule.section[0], "enabled"];
    if (rawAt(raw, sectionSwitch) === false && rule.section[0] !== "network" && rule.section[0] !== "kms")
      continue;
    const written = rawAt(raw, rule.section);
    if (written === null || typeof written !== "object" || Array.isArray(written)) continue;
    const enabledKey = rule.parkedBy?.[rule.parkedBy.length - 1];
    for (const key of Object.keys(written)) {
      if (rule.keys && !rule.keys.includes(key)) continue;
      if (!rule.keys && key === enabledKey) continue;
      problems.push({ path: [...rule.section, key], message: reason, refBase: [] });
    }
  }
  return problems;
}

// ---- errors ----

/** Every problem found in the stack config; `message` lists them one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** `ml-platform:<path>` of a key; references inside messages are written without the namespace. */
export function keyOf(path: readonly PropertyKey[]): string {
  return `${NAMESPACE}:${path.map(String).join(".")}`;
}

/** One line of a ConfigError: the key, then what is wrong. */
export function configProblemLine(p: ArgProblem): string {
  return `${keyOf(p.path)} ${renderMessage(p, (path) => path.join("."))}`;
}

/**
 * Parses the raw values of the namespace (key without the `ml-platform:` prefix -> value,
 * objects already decoded) into a typed config, or throws a ConfigError naming every problem.
 */
export function validateConfig(raw: Record<string, unknown>): PlatformConfig {
  const result = platformConfigSchema.safeParse(raw);
  if (!result.success)
    throw new ConfigError(problemsOf(platformConfigSchema, result.error.issues, raw).map(configProblemLine));
  const inert = inertSettings(raw, result.data);
  if (inert.length > 0) throw new ConfigError(inert.map(configProblemLine));
  return result.data;
}

/**
 * Reads the namespace out of Pulumi's flat config map (`"ml-platform:notebook"` -> JSON text)
 * and validates it. Keys of other namespaces (aws:region, pulumi:tags) are left alone.
 */
const TOP_LEVEL_BOOLEANS = new Set(["parked"]);

export function configFromPulumi(all: Record<string, string>): PlatformConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const key = fullKey.slice(NAMESPACE.length + 1);
    try {
      // Pulumi hands every value over as text: `parked: true` arrives as "true".
      raw[key] =
        /^\s*[[{]/.test(value) || (TOP_LEVEL_BOOLEANS.has(key) && /^(true|false)$/.test(value))
          ? JSON.parse(value)
          : value;
    } catch {
      problems.push(`${fullKey} is not valid JSON (got ${show(value)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return validateConfig(raw);
}
