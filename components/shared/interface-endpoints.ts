/**
 * VPC interface endpoints from needs. Each component declares, for what it has switched on, the
 * interface endpoints (PrivateLink) its workload calls from inside the VPC, why, what stops
 * working without each, and the AWS page the need was checked against. The stack creates the
 * union, nothing more: interface endpoints bill per endpoint per AZ-hour whether anyone works
 * or not, so one that nothing calls is money for nothing. The S3 gateway endpoint is free and
 * always there (every workload here reads and writes the artifact store through it).
 */
import { z } from "zod";

/** One interface endpoint one component needs. */
export interface InterfaceEndpointNeed {
  /** The service part of `com.amazonaws.<region>.<service>`, e.g. `sagemaker.api`. */
  service: string;
  /** The component (and feature) that calls it, e.g. `notebook (idle stop, SageMaker SDK)`. */
  neededBy: string;
  /** What stops working without it, for the warning when config drops it. */
  breaksWithout: string;
  /** The AWS page (or source file) the need was checked against. */
  source: string;
}

/** The service part of an endpoint service name: `sagemaker.api`, `ssmmessages`, `ecr.dkr`. */
export const INTERFACE_SERVICE_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*$/;

export const interfaceServiceSchema = z
  .string({ error: "must be an endpoint service such as sagemaker.api or ecr.dkr" })
  .regex(INTERFACE_SERVICE_PATTERN, {
    error: "must be the service part of com.amazonaws.<region>.<service>, such as sagemaker.api or ecr.dkr",
  });

/** The services of the needs, each once, in the order first needed. */
export function servicesOf(needs: readonly InterfaceEndpointNeed[]): string[] {
  return [...new Set(needs.map((n) => n.service))];
}

/** What config asks of the union of needs: services to add (nothing declares them) and to drop. */
export interface InterfaceEndpointChanges {
  add?: readonly string[];
  drop?: readonly string[];
}

export interface InterfaceEndpointPlan {
  /** The services to create endpoints for: the needs, plus `add`, less `drop`. */
  services: string[];
  /** One line per dropped service, naming who needs it and what stops working. */
  warnings: string[];
  /** `add`/`drop` entries that would do nothing (already needed, not needed, both): config errors. */
  problems: { key: "add" | "drop"; index: number; message: string }[];
}

/** The union of needs with config's additions and drops applied; drops warn, no-ops are problems. */
export function planInterfaceEndpoints(
  needs: readonly InterfaceEndpointNeed[],
  changes: InterfaceEndpointChanges = {},
): InterfaceEndpointPlan {
  const needed = servicesOf(needs);
  const add = changes.add ?? [];
  const drop = changes.drop ?? [];
  const problems: InterfaceEndpointPlan["problems"] = [];
  add.forEach((service, index) => {
    if (needed.includes(service))
      problems.push({
        key: "add",
        index,
        message: `adds "${service}", which ${whoNeeds(needs, service)} already needs (remove it from add)`,
      });
    else if (drop.includes(service))
      problems.push({ key: "add", index, message: `adds "${service}", which drop also lists` });
    else if (add.indexOf(service) !== index)
      problems.push({ key: "add", index, message: `lists "${service}" twice` });
  });
  drop.forEach((service, index) => {
    if (!needed.includes(service))
      problems.push({
        key: "drop",
        index,
        message: `drops "${service}", which nothing in this stack needs (needed: ${needed.join(", ") || "none"})`,
      });
    else if (drop.indexOf(service) !== index)
      problems.push({ key: "drop", index, message: `lists "${service}" twice` });
  });
  const dropped = new Set(drop);
  const warnings = needed
    .filter((service) => dropped.has(service))
    .map(
      (service) =>
        `network.interfaceEndpoints.drop: no ${service} endpoint, so ` +
        needs
          .filter((n) => n.service === service)
          .map((n) => `${n.neededBy}: ${n.breaksWithout}`)
          .join("; "),
    );
  return {
    services: [
      ...needed.filter((s) => !dropped.has(s)),
      ...add.filter((s, i) => add.indexOf(s) === i && !needed.includes(s) && !dropped.has(s)),
    ],
    warnings,
    problems,
  };
}

function whoNeeds(needs: readonly InterfaceEndpointNeed[], service: string): string {
  return [...new Set(needs.filter((n) => n.service === service).map((n) => n.neededBy))].join(" and ");
}
