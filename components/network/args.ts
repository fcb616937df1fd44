/** The arguments of `Network`, their defaults (one place) and their schema. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  cidr,
  definedOnly,
  input,
  int,
  oneOf,
  optionalFields,
  pattern,
  problem,
  ref,
  resolveArgs,
  tagsSchema,
  text,
} from "../shared/arg-schema";
import { NAME_PATTERNS } from "../shared/aws-facts";
import { interfaceServiceSchema } from "../shared/interface-endpoints";
import { parseIpv4Cidr } from "../shared/cidr";
import { Tags } from "../shared/tags";

/**
 * `mode: "create"` (default): a new VPC (`namePrefix`, `region`, and the create settings).
 * `mode: "existing"`: your VPC (`vpcId`, `subnetIds`, `vpcCidr`). Settings of the other mode are errors.
 */
export interface NetworkArgs {
  /** `create` a VPC or use an `existing` one. Default `create`. */
  mode?: "create" | "existing";
  /** Create: name prefix for the `Name` tags. Required with `mode: "create"`. */
  namePrefix?: string;
  /** Create: VPC CIDR, /16 to /24. Subnets are /20 slices (or a quarter of a smaller VPC). Default `10.40.0.0/16`. */
  cidr?: string;
  /** Create: region of the VPC, for endpoint service names (`com.amazonaws.<region>.<service>`). Required with `mode: "create"`. */
  region?: pulumi.Input<string>;
  /** Create: private subnets, one per AZ, 1-4. Default 2. */
  availabilityZoneCount?: number;
  /**
   * Create: the interface endpoints to create, by service (`sagemaker.api`, `sts`, `logs`, ...):
   * what the workloads in the VPC call. Each component says what it needs
   * (`notebookInterfaceEndpointNeeds`, `ec2TrainerInterfaceEndpointNeeds`, ...; `planInterfaceEndpoints`
   * makes the union). They bill per endpoint per AZ-hour. Default none (the S3 gateway endpoint is always made).
   */
  interfaceEndpoints?: string[];
  /** Create: subnets (AZs) that host interface endpoints; 1 halves their hourly cost. Default 2. */
  interfaceEndpointAzCount?: number;
  /** Existing: the VPC id. Required with `mode: "existing"`. */
  vpcId?: string;
  /** Existing: private subnet ids (at least one). Required with `mode: "existing"`. */
  subnetIds?: string[];
  /** Existing: the VPC's CIDR; the workload security group accepts nothing from outside it. Required with `mode: "existing"`. */
  vpcCidr?: string;
  tags?: Tags;
}

export const NETWORK_DEFAULTS = {
  mode: "create",
  cidr: "10.40.0.0/16",
  availabilityZoneCount: 2,
  interfaceEndpoints: [] as readonly string[],
  interfaceEndpointAzCount: 2,
} as const;

/** Settings that only `mode: "create"` uses, and those only `mode: "existing"` uses. */
export const NETWORK_CREATE_ONLY = [
  "namePrefix",
  "cidr",
  "region",
  "availabilityZoneCount",
  "interfaceEndpoints",
  "interfaceEndpointAzCount",
] as const;
export const NETWORK_EXISTING_ONLY = ["vpcId", "subnetIds", "vpcCidr"] as const;

const vpcCidrRange = cidr().refine(
  (c) => {
    const prefix = parseIpv4Cidr(c)?.prefixLength ?? 0;
    return prefix >= 16 && prefix <= 24;
  },
  { error: "must be a /16 to /24 range (AWS allows VPCs of /16 to /28; the subnets need room)" },
);

/** The settings a stack can choose; the stack config composes these (with NETWORK_DEFAULTS). */
export const networkFields = {
  mode: oneOf(["create", "existing"]),
  cidr: vpcCidrRange,
  // Each subnet is two bits smaller than the VPC, so at most four fit.
  availabilityZoneCount: int(1, 4),
  interfaceEndpointAzCount: int(1, 4),
  vpcId: pattern(NAME_PATTERNS.vpcId, "a VPC id such as vpc-0abc1234"),
  subnetIds: z.array(pattern(NAME_PATTERNS.subnetId, "a subnet id such as subnet-0abc1234"), {
    error: "must be a list of subnet ids",
  }),
  /** The CIDR of an existing VPC: security groups of the VPC endpoints open only to it. */
  vpcCidr: cidr(),
};

/** Cross-argument rules, for the component and for the stack config (same names). */
export function checkNetwork(
  n: {
    mode: "create" | "existing";
    availabilityZoneCount: number;
    interfaceEndpointAzCount: number;
    vpcId?: unknown;
    subnetIds?: unknown[];
    vpcCidr?: unknown;
  },
  ctx: z.RefinementCtx,
): void {
  if (n.mode === "existing") {
    if (!n.vpcId) problem(ctx, ["vpcId"], `is required when ${ref("mode")} is "existing"`);
    if (!n.subnetIds || n.subnetIds.length < 1)
      problem(
        ctx,
        ["subnetIds"],
        `must list at least one private subnet id when ${ref("mode")} is "existing"`,
      );
    if (!n.vpcCidr)
      problem(
        ctx,
        ["vpcCidr"],
        `is required when ${ref("mode")} is "existing" (the VPC endpoints accept traffic only from it)`,
      );
  } else if (n.interfaceEndpointAzCount > n.availabilityZoneCount)
    problem(
      ctx,
      ["interfaceEndpointAzCount"],
      `must be <= ${ref("availabilityZoneCount")} (got ${n.interfaceEndpointAzCount} > ${n.availabilityZoneCount})`,
    );
}

export const networkArgsSchema = z
  .strictObject({
    ...optionalFields(networkFields),
    namePrefix: text("a name prefix such as ml-platform-dev-vpc").optional(),
    interfaceEndpoints: z
      .array(interfaceServiceSchema, { error: "must be a list of endpoint services such as sagemaker.api" })
      .refine((l) => new Set(l).size === l.length, { error: "must not list a service twice" })
      .optional(),
    region: input<string>("the region, for endpoint service names").optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine((given, ctx) => {
    const mode: "create" | "existing" = given.mode ?? NETWORK_DEFAULTS.mode;
    // A setting of the other mode would do nothing: say so instead of ignoring it.
    const other = mode === "create" ? NETWORK_EXISTING_ONLY : NETWORK_CREATE_ONLY;
    for (const key of other)
      if (given[key] !== undefined)
        problem(
          ctx,
          [key],
          `is only used when ${ref("mode")} is "${mode === "create" ? "existing" : "create"}"; remove it or set ${ref("mode")}`,
        );
    if (mode === "create") {
      if (!given.namePrefix) problem(ctx, ["namePrefix"], `is required when ${ref("mode")} is "create"`);
      if (given.region === undefined) problem(ctx, ["region"], `is required when ${ref("mode")} is "create"`);
    }
    checkNetwork({ ...NETWORK_DEFAULTS, ...definedOnly(given), mode }, ctx);
  })
  .transform((given) => ({ ...NETWORK_DEFAULTS, ...definedOnly(given) }));

export type ResolvedNetworkArgs = z.output<typeof networkArgsSchema>;

/** Applies the defaults and checks every argument; throws a ComponentArgsError naming each problem. */
export function resolveNetworkArgs(name: string, args: NetworkArgs): ResolvedNetworkArgs {
  return resolveArgs("Network", name, networkArgsSchema, args);
}
