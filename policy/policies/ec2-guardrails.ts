/** EC2 trainer guardrails: IMDSv2 only, encrypted EBS volumes. */
import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { Props, exemptResourcesSchema, onTypes } from "../lib/policy-kit";
import { Unknown, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";

function tokensRequired(metadataOptions: unknown, what: string, report: ReportViolation): void {
  const m = snapshot(metadataOptions);
  if (m instanceof Unknown) {
    throw m.error;
  }
  const tokens = m && typeof m === "object" ? (m as Props)["httpTokens"] : undefined;
  if (tokens instanceof Unknown) {
    throw tokens.error;
  }
  if (tokens !== "required") {
    report(
      `${what} metadataOptions.httpTokens is ${tokens === undefined ? "not set (IMDSv1 stays available)" : JSON.stringify(tokens)}. ` +
        'Fix: set metadataOptions: { httpTokens: "required" } so credentials on the instance need an IMDSv2 session token.',
    );
  }
}

export const ec2Imdsv2Required: ResourceValidationPolicy = {
  name: "ec2-imdsv2-required",
  description: "EC2 instances and launch templates must require IMDSv2 (httpTokens: required).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: 'Set metadataOptions.httpTokens to "required".',
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.ec2Instance]: (props, _args, report) => {
      const metadata = snapshot(props["metadataOptions"]);
      if (metadata === undefined && snapshot(props["launchTemplate"]) !== undefined) {
        return; // the launch template decides, and it is checked on its own
      }
      tokensRequired(metadata, "the instance's", report);
    },
    [T.ec2LaunchTemplate]: (props, _args, report) =>
      tokensRequired(props["metadataOptions"], "the launch template's", report),
  }),
};

function encryptedFlag(v: unknown): boolean | Unknown {
  if (v instanceof Unknown) {
    return v;
  }
  return v === true || v === "true";
}

export const ec2EbsEncrypted: ResourceValidationPolicy = {
  name: "ec2-ebs-encrypted",
  description:
    "EBS volumes (instance root and data volumes, standalone volumes, launch template mappings) must be encrypted.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set encrypted: true (and a kmsKeyId for a customer-managed key) on every volume.",
  configSchema: { properties: { exemptResources: exemptResourcesSchema } },
  validateResource: onTypes({
    [T.ec2Instance]: (props, _args, report) => {
      const root = snapshot(props["rootBlockDevice"]) as Props | Unknown | undefined;
      if (root instanceof Unknown) {
        throw root.error;
      }
      const rootEnc = encryptedFlag(root?.["encrypted"]);
      if (rootEnc instanceof Unknown) {
        throw rootEnc.error;
      }
      if (!rootEnc) {
        report(
          `rootBlockDevice.encrypted is ${root === undefined ? "not set (the AMI's snapshot decides)" : JSON.stringify(root["encrypted"])}. Fix: set rootBlockDevice: { encrypted: true }.`,
        );
      }
      const data = snapshot(props["ebsBlockDevices"]);
      if (data instanceof Unknown) {
        throw data.error;
      }
      ((Array.isArray(data) ? data : []) as Props[]).forEach((d, i) => {
        const enc = encryptedFlag(d?.["encrypted"]);
        if (enc instanceof Unknown) {
          throw enc.error;
        }
        if (!enc) {
          report(
            `ebsBlockDevices[${i}] (${String(d?.["deviceName"] ?? "?")}) is not encrypted. Fix: set encrypted: true.`,
          );
        }
      });
    },
    [T.ebsVolume]: (props, _args, report) => {
      const enc = encryptedFlag(props["encrypted"]);
      if (enc instanceof Unknown) {
        throw enc.error;
      }
      if (!enc) {
        report("the volume is not encrypted. Fix: set encrypted: true.");
      }
    },
    [T.ec2LaunchTemplate]: (props, _args, report) => {
      const mappings = snapshot(props["blockDeviceMappings"]);
      if (mappings instanceof Unknown) {
        throw mappings.error;
      }
      ((Array.isArray(mappings) ? mappings : []) as Props[]).forEach((m, i) => {
        const ebs = m?.["ebs"] as Props | undefined;
        if (!ebs || typeof ebs !== "object") {
          return;
        }
        const enc = encryptedFlag(ebs["encrypted"]);
        if (enc instanceof Unknown) {
          throw enc.error;
        }
        if (!enc) {
          report(
            `blockDeviceMappings[${i}].ebs.encrypted is not "true". Fix: set ebs: { encrypted: "true" }.`,
          );
        }
      });
    },
  }),
};
