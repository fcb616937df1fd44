/** Network for Pulumi programs in any language (see components/network). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/network";
import type { Tags } from "../../components/shared/tags";
import { adapt, Expect, SameArgNames, token } from "./adapter";

/** Whether the component creates the VPC or uses one that exists. */
export const NetworkMode = {
  /** A VPC with private subnets, no NAT or internet gateway, and VPC endpoints. */
  Create: "create",
  /** Your VPC: `vpcId`, `subnetIds` and `vpcCidr`. */
  Existing: "existing",
} as const;
export type NetworkMode = (typeof NetworkMode)[keyof typeof NetworkMode];

export interface NetworkArgs {
  /** `create` a VPC or use an `existing` one. Default `create`. */
  mode?: NetworkMode;
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
export type NetworkArgsMatch = Expect<SameArgNames<ts.NetworkArgs, NetworkArgs>>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["region"];

/** A private VPC for the platform (or yours), its security groups and VPC endpoints. */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** The private subnets, one per AZ. */
  readonly subnetIds: pulumi.Output<string[]>;
  readonly vpcCidr: pulumi.Output<string>;
  /** Members talk to each other (distributed training) and out over HTTPS; nothing comes in from outside. */
  readonly workloadSecurityGroupId: pulumi.Output<string>;
  /** The interface endpoints' security group (443 from the VPC), when they are created. */
  readonly endpointSecurityGroupId: pulumi.Output<string | undefined>;
  /** The services that got an interface endpoint (none with `mode: "existing"`). */
  readonly interfaceEndpointServices: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("Network"), name, {}, opts);
    const out = adapt(this, `Network ${name}`, args, inputs, (a, opts) => {
      const net = new ts.Network(name, a, opts);
      return {
        vpcId: net.vpcId,
        subnetIds: net.subnetIds,
        vpcCidr: net.vpcCidr,
        workloadSecurityGroupId: net.workloadSecurityGroupId,
        endpointSecurityGroupId: net.endpointSecurityGroupId,
        interfaceEndpointServices: net.interfaceEndpointServices,
      };
    });
    this.vpcId = out.vpcId;
    this.subnetIds = out.subnetIds;
    this.vpcCidr = out.vpcCidr;
    this.workloadSecurityGroupId = out.workloadSecurityGroupId;
    this.endpointSecurityGroupId = out.endpointSecurityGroupId;
    this.interfaceEndpointServices = out.interfaceEndpointServices;
    this.registerOutputs({
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      vpcCidr: this.vpcCidr,
      workloadSecurityGroupId: this.workloadSecurityGroupId,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
    });
  }
}
