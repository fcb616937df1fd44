/** Guardrails for the SageMaker resources the platform builds: notebook, endpoint configuration, model. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { Props, configOf, exemptResourcesSchema, onTypes, stringListSchema } from "../lib/policy-kit";
import { Unknown, prop, snapshot, tryRead } from "../lib/props";
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

export const sagemakerModelNetworkIsolation: ResourceValidationPolicy = {
  name: "sagemaker-model-network-isolation",
  description:
    "SageMaker models must run with network isolation, so inference containers make no outbound calls.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set enableNetworkIsolation: true on the model; fetch inputs outside the container (the inference Lambda sends bytes).",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.sagemakerModel]: (props, _args, report) => {
      const v = tryRead(() => props["enableNetworkIsolation"]);
      if (v instanceof Unknown) {
        throw v.error;
      }
      if (v !== true) {
        report(
          `enableNetworkIsolation is ${v === undefined ? "not set (AWS defaults to false)" : JSON.stringify(v)}. Fix: set enableNetworkIsolation: true.`,
        );
      }
    },
  }),
};
