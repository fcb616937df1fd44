/** Security groups: no ingress from the whole internet (0.0.0.0/0 or ::/0) on SSH or any other port. */
import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { Props, configOf, exemptResourcesSchema, onTypes } from "../lib/policy-kit";
import { Unknown, snapshot } from "../lib/props";
import { T } from "../lib/resource-types";

export interface OpenIngressConfig {
  allowedPublicPorts: number[];
}

export const openIngressDefaults: OpenIngressConfig = { allowedPublicPorts: [] };

const WORLD = new Set(["0.0.0.0/0", "::/0"]);
const NEVER_PUBLIC: Record<number, string> = { 22: "SSH", 3389: "RDP" };

interface Rule {
  where: string;
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[];
}

export const ec2SecurityGroupNoPublicIngress: ResourceValidationPolicy = {
  name: "ec2-security-group-no-public-ingress",
  description:
    "Security groups must not accept traffic from 0.0.0.0/0 or ::/0: never on SSH/RDP, and on other ports only where allowedPublicPorts says so.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Restrict the source to a known CIDR (one IP for the trainer) or a security group; use SSM Session Manager instead of SSH.",
  configSchema: {
    properties: {
      allowedPublicPorts: {
        type: "array",
        items: { type: "integer" },
        description:
          "Ports that may be open to the world (e.g. 443 on a load balancer). SSH (22) and RDP (3389) never are.",
        default: openIngressDefaults.allowedPublicPorts,
      },
      exemptResources: exemptResourcesSchema,
    },
  },
  validateResource: onTypes({
    [T.ec2SecurityGroup]: (props, args, report) => {
      const ingress = snapshot(props["ingress"]);
      if (ingress instanceof Unknown) {
        throw ingress.error;
      }
      const rules = (Array.isArray(ingress) ? ingress : []) as Props[];
      rules.forEach((r, i) =>
        judge(
          {
            where: `ingress[${i}]`,
            protocol: r?.["protocol"],
            fromPort: r?.["fromPort"],
            toPort: r?.["toPort"],
            cidrs: [...listOf(r?.["cidrBlocks"]), ...listOf(r?.["ipv6CidrBlocks"])],
          },
          configOf(args, openIngressDefaults),
          report,
        ),
      );
    },
    [T.ec2SecurityGroupRule]: (props, args, report) => {
      if (props["type"] !== "ingress") {
        return;
      }
      const r = snapshot(props) as Props;
      judge(
        {
          where: "rule",
          protocol: r["protocol"],
          fromPort: r["fromPort"],
          toPort: r["toPort"],
          cidrs: [...listOf(r["cidrBlocks"]), ...listOf(r["ipv6CidrBlocks"])],
        },
        configOf(args, openIngressDefaults),
        report,
      );
    },
    [T.vpcSecurityGroupIngressRule]: (props, args, report) => {
      const r = snapshot(props) as Props;
      judge(
        {
          where: "rule",
          protocol: r["ipProtocol"],
          fromPort: r["fromPort"],
          toPort: r["toPort"],
          cidrs: [r["cidrIpv4"], r["cidrIpv6"]],
        },
        configOf(args, openIngressDefaults),
        report,
      );
    },
  }),
};

function listOf(v: unknown): unknown[] {
  return v instanceof Unknown ? [v] : Array.isArray(v) ? v : [];
}

function judge(rule: Rule, cfg: OpenIngressConfig, report: ReportViolation): void {
  const open = rule.cidrs.filter((c) => typeof c === "string" && WORLD.has(c.trim()));
  if (open.length === 0) {
    const unknown = rule.cidrs.find((c): c is Unknown => c instanceof Unknown);
    if (unknown) {
      throw unknown.error;
    }
    return;
  }
  for (const v of [rule.protocol, rule.fromPort, rule.toPort]) {
    if (v instanceof Unknown) {
      throw v.error;
    }
  }
  const protocol = String(rule.protocol ?? "").toLowerCase();
  const all = protocol === "-1" || protocol === "all";
  const from = all ? 0 : Number(rule.fromPort ?? 0);
  const to = all ? 65535 : Number(rule.toPort ?? from);
  const range =
    from === to ? `port ${from}` : from <= 0 && to >= 65535 ? "every port" : `ports ${from}-${to}`;
  const source = open.join(" and ");
  const never = Object.entries(NEVER_PUBLIC).find(([p]) => Number(p) >= from && Number(p) <= to);
  if (never) {
    report(
      `${rule.where} opens ${range} (${never[1]}) to ${source}. Fix: allow only a specific CIDR (e.g. your IP/32) or use SSM Session Manager instead of ${never[1]}.`,
    );
    return;
  }
  const allowed =
    to - from < 1024 &&
    Array.from({ length: to - from + 1 }, (_, k) => from + k).every((p) =>
      cfg.allowedPublicPorts.includes(p),
    );
  if (!allowed) {
    report(
      `${rule.where} opens ${range} to ${source}. Fix: restrict the source CIDR or security group, or list the port in allowedPublicPorts for this stack if it must be public.`,
    );
  }
}
