/** Guardrails for the SageMaker resources the platform builds: notebook, endpoint configuration, model. */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  Props,
  configOf,
  exemptResourcesSchema,
  isExempt,
  onTypes,
  reportNotChecked,
  stringListSchema,
  unknownReason,
} from "../lib/policy-kit";
import { Unknown, prop, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";

/**
 * A KMS key reference: key id, key ARN, alias name or alias ARN all count as a customer-managed key,
 * and so does a value unknown at preview (a key created in the same stack). AWS-managed aliases
 * (alias/aws/...) do not.
 */
export function kmsKeyVerdict(v: unknown): "customer" | "aws-managed" | "none" {
  if (v instanceof Unknown) {
    return "customer";
  }
  if (typeof v !== "string" || v.trim() === "") {
    return "none";
  }
  return /(^|:)alias\/aws\//.test(v) ? "aws-managed" : "customer";
}

const KMS_FIX = "set it to a customer-managed KMS key (key ARN, key id, alias name or alias ARN)";

export const sagemakerNotebookRootAccessDisabled: ResourceValidationPolicy = {
  name: "sagemaker-notebook-root-access-disabled",
  description: "SageMaker notebook instances must not give users root access.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set rootAccess: "Disabled" on the notebook instance; lifecycle configurations still run as root.',
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.sagemakerNotebookInstance]: (props, _args, report) => {
      const v = props["rootAccess"];
      if (v !== "Disabled") {
        report(
          `rootAccess is ${v === undefined ? "not set (AWS defaults to Enabled)" : JSON.stringify(v)}. Fix: set rootAccess: "Disabled".`,
        );
      }
    },
  }),
};

export const sagemakerNotebookNoDirectInternet: ResourceValidationPolicy = {
  name: "sagemaker-notebook-no-direct-internet",
  description: "SageMaker notebook instances must run in a VPC subnet without direct internet access.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    'Set directInternetAccess: "Disabled" with a subnetId and securityGroups; reach AWS services through VPC endpoints or a NAT gateway.',
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.sagemakerNotebookInstance]: (props, _args, report) => {
      const v = props["directInternetAccess"];
      if (v !== "Disabled") {
        report(
          `directInternetAccess is ${v === undefined ? "not set (AWS defaults to Enabled)" : JSON.stringify(v)}. Fix: set directInternetAccess: "Disabled" and place the notebook in a private subnet (subnetId).`,
        );
        return;
      }
      const subnet = prop(props, "subnetId");
      if (subnet === undefined || subnet === "") {
        report(
          'directInternetAccess is "Disabled" but no subnetId is set; AWS requires a VPC subnet for that. Fix: set subnetId and securityGroups.',
        );
      }
    },
  }),
};

export const sagemakerNotebookKms: ResourceValidationPolicy = {
  name: "sagemaker-notebook-kms",
  description: "SageMaker notebook instance storage must be encrypted with a customer-managed KMS key.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set kmsKeyId to a customer-managed KMS key (key ARN or alias ARN).",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.sagemakerNotebookInstance]: (props, _args, report) => {
      const verdict = kmsKeyVerdict(prop(props, "kmsKeyId"));
      if (verdict !== "customer") {
        report(
          `kmsKeyId is ${verdict === "none" ? "not set" : "an AWS-managed key alias"}. Fix: ${KMS_FIX}.`,
        );
      }
    },
  }),
};

export interface EndpointKmsConfig {
  localStorageInstanceFamilies: string[];
}

export const endpointKmsDefaults: EndpointKmsConfig = {
  // Nitro instances with local NVMe storage encrypt it in hardware, and AWS rejects a KmsKeyId for them.
  // A copy of LOCAL_NVME_INSTANCE_FAMILIES in components/shared/aws-facts.ts (the pack installs on its
  // own), pinned equal by test/foundation/shared-facts.test.ts; source: the EC2 instance-store tables,
  // https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html#ac_instance-store (inf2 is EBS-only).
  localStorageInstanceFamilies: [
    "ml.c5d",
    "ml.c6gd",
    "ml.c6id",
    "ml.dl1",
    "ml.g4dn",
    "ml.g5",
    "ml.g6",
    "ml.g6e",
    "ml.m5d",
    "ml.m6gd",
    "ml.m6id",
    "ml.p3dn",
    "ml.p4d",
    "ml.p4de",
    "ml.p5",
    "ml.p5e",
    "ml.p5en",
    "ml.r5d",
    "ml.r6gd",
    "ml.r6id",
    "ml.r7gd",
    "ml.trn1",
    "ml.trn1n",
  ],
};

export const sagemakerEndpointConfigKms: ResourceValidationPolicy = {
  name: "sagemaker-endpoint-config-kms",
  description:
    "SageMaker endpoint configurations must encrypt instance storage and captured data with a customer-managed KMS key.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set kmsKeyArn (and dataCaptureConfig.kmsKeyId when capture is on) to a customer-managed KMS key.",
  configSchema: {
    properties: {
      localStorageInstanceFamilies: stringListSchema(
        "Instance families with local NVMe storage, for which AWS refuses a KMS key (not reported).",
        endpointKmsDefaults.localStorageInstanceFamilies,
      ),
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.sagemakerEndpointConfiguration]: (props, args, report) => {
      const cfg = configOf(args, endpointKmsDefaults);
      const variants = snapshot(prop(props, "productionVariants"));
      if (variants instanceof Unknown) {
        throw variants.error;
      }
      const list = (Array.isArray(variants) ? variants : []) as Props[];
      const needsKey = list.some((v) => {
        if (
          v &&
          typeof v === "object" &&
          v["serverlessConfig"] !== undefined &&
          v["serverlessConfig"] !== null
        ) {
          return false; // serverless variants have no instance storage volume to encrypt
        }
        const type = v?.["instanceType"];
        if (type instanceof Unknown) {
          throw type.error;
        }
        const family = typeof type === "string" ? type.split(".").slice(0, 2).join(".") : "";
        return !cfg.localStorageInstanceFamilies.includes(family);
      });
      if (needsKey) {
        const verdict = kmsKeyVerdict(prop(props, "kmsKeyArn"));
        if (verdict !== "customer") {
          report(
            `kmsKeyArn is ${verdict === "none" ? "not set" : "an AWS-managed key alias"} for instance-backed variants. Fix: ${KMS_FIX}.`,
          );
        }
      }
      const capture = snapshot(prop(props, "dataCaptureConfig")) as Props | Unknown | undefined;
      if (capture && !(capture instanceof Unknown) && capture["enableCapture"] !== false) {
        const verdict = kmsKeyVerdict(capture["kmsKeyId"]);
        if (verdict !== "customer") {
          report(
            `dataCaptureConfig captures requests and responses without a customer-managed key (kmsKeyId ${verdict === "none" ? "not set" : "is AWS-managed"}). Fix: ${KMS_FIX}.`,
          );
        }
      }
    },
  }),
};

/**
 * Serverless Inference does not support network isolation (or a VPC): AWS lists both among its
 * feature exclusions, "Deploy models with Amazon SageMaker Serverless Inference", section "Feature
 * exclusions" (https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html#serverless-endpoints-how-it-works-exclusions).
 * So "set enableNetworkIsolation: true" is a fix only for a model that instance-backed variants serve.
 */
export const SERVERLESS_NO_ISOLATION =
  "SageMaker Serverless Inference does not support network isolation (AWS lists it among the serverless feature exclusions)";

/** How a stack's endpoint configurations serve one model. */
interface ModelServing {
  serverless: string[];
  instance: string[];
  /** Variants that may serve it but whose model or kind is unknown at preview. */
  undetermined: string[];
}

type Variant = { where: string; model: unknown; kind: "serverless" | "instance" | "unknown" };

function variantsOf(config: PolicyResource): Variant[] | Unknown {
  const out: Variant[] = [];
  for (const key of ["productionVariants", "shadowProductionVariants"]) {
    const list = snapshot(prop(config.props, key));
    if (list instanceof Unknown) {
      return list;
    }
    (Array.isArray(list) ? (list as Props[]) : []).forEach((v, i) => {
      if (!v || typeof v !== "object") {
        return;
      }
      const name = typeof v["variantName"] === "string" ? ` ("${v["variantName"]}")` : "";
      const sc = v["serverlessConfig"];
      out.push({
        where: `${config.name} ${key}[${i}]${name}`,
        model: v["modelName"],
        kind: sc instanceof Unknown ? "unknown" : sc !== undefined && sc !== null ? "serverless" : "instance",
      });
    });
  }
  return out;
}

/**
 * Which variants of the stack serve `model`: by its name when both names are known, else by the
 * property dependency the engine records when a variant's modelName comes from the model's output.
 */
function servingOf(model: PolicyResource, configs: PolicyResource[]): ModelServing {
  const serving: ModelServing = { serverless: [], instance: [], undetermined: [] };
  const modelName = prop(model.props, "name");
  for (const config of configs) {
    const variants = variantsOf(config);
    const deps = Object.entries(config.propertyDependencies ?? {})
      .filter(([k]) => k === "productionVariants" || k === "shadowProductionVariants")
      .flatMap(([, rs]) => rs ?? []);
    const fromModel = deps.some((d) => d.urn === model.urn);
    if (variants instanceof Unknown) {
      if (fromModel) {
        serving.undetermined.push(`${config.name} (its variants are unknown at preview)`);
      }
      continue;
    }
    // A known modelName names the model when its name is known too; an unknown one (the model's
    // auto-generated name) is this model's when the configuration's variants come from its output.
    const byName = variants.filter(
      (v) => typeof v.model === "string" && typeof modelName === "string" && v.model === modelName,
    );
    const byOutput = fromModel ? variants.filter((v) => typeof v.model !== "string") : [];
    // Several unknown names of different kinds: which of them is this model's is not known.
    const mixed = new Set(byOutput.map((v) => v.kind)).size > 1;
    for (const v of [...byName, ...byOutput]) {
      if (v.kind === "unknown" || (mixed && byOutput.includes(v))) {
        serving.undetermined.push(v.where);
      } else {
        serving[v.kind].push(v.where);
      }
    }
  }
  return serving;
}

/** The violation's text: what is wrong, and the fix that AWS accepts for how the model is served. */
function isolationMessage(setting: string, s: ModelServing): string {
  const list = (l: string[]) => l.join(", ");
  if (s.undetermined.length > 0) {
    return (
      `${setting}. Whether serverless variants serve it could not be determined at preview (${list(s.undetermined)}). ` +
      `Fix: for instance-backed variants, set enableNetworkIsolation: true; ${SERVERLESS_NO_ISOLATION}, so a model a serverless variant serves needs an instance endpoint for isolation.`
    );
  }
  if (s.serverless.length > 0 && s.instance.length === 0) {
    return (
      `${setting}; serverless variants serve it (${list(s.serverless)}), and ${SERVERLESS_NO_ISOLATION}. ` +
      "Fix: use an instance endpoint (an instance-backed variant) for isolation and set enableNetworkIsolation: true there, or list the model in exemptResources and say why."
    );
  }
  if (s.serverless.length > 0) {
    return (
      `${setting}; instance-backed variants (${list(s.instance)}) and serverless variants (${list(s.serverless)}) serve it, and ${SERVERLESS_NO_ISOLATION}. ` +
      "Fix: give the serverless variants a model of their own and set enableNetworkIsolation: true on the one the instance-backed variants serve."
    );
  }
  return `${setting}. Fix: set enableNetworkIsolation: true.`;
}

/**
 * A stack policy, because the fix depends on how the model is served, which only the endpoint
 * configurations say. Three answers: isolation on (clean); isolation off (a violation, whose fix
 * is one AWS accepts: set it, or, for a model serverless variants serve, an instance endpoint; when
 * how it is served is unknown at preview, the message says so and gives both); the setting itself
 * unknown at preview (not checked).
 */
export const sagemakerModelNetworkIsolation: StackValidationPolicy = {
  name: "sagemaker-model-network-isolation",
  description:
    "SageMaker models must run with network isolation, so inference containers make no outbound calls.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set enableNetworkIsolation: true on the model; fetch inputs outside the container (the inference Lambda sends bytes). Serverless endpoints cannot run isolated models: use an instance endpoint for isolation.",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateStack: (args, report) => {
    const models = args.resources.filter(
      (r) => r.type === T.sagemakerModel && !isExempt(args, r.name, r.urn),
    );
    if (models.length === 0) {
      return args.notApplicable("the stack has no SageMaker models");
    }
    const configs = args.resources.filter((r) => r.type === T.sagemakerEndpointConfiguration);
    for (const model of models) {
      const v = prop(model.props, "enableNetworkIsolation");
      if (v instanceof Unknown) {
        reportNotChecked(report, unknownReason(`enableNetworkIsolation of model "${model.name}"`), model.urn);
        continue;
      }
      if (v === true) {
        continue;
      }
      const setting = `enableNetworkIsolation is ${v === undefined ? "not set (AWS defaults to false)" : JSON.stringify(v)}`;
      report(isolationMessage(setting, servingOf(model, configs)), model.urn);
    }
  },
};
