import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, componentTags } from "./shared/tags";

/** Interface endpoints a workload without internet needs (notebook, training, EC2 trainer via SSM). */
export const INTERFACE_ENDPOINT_SERVICES = [
  "sagemaker.api",
  "sagemaker.runtime",
  "sts",
  "logs",
  "ecr.api",
  "ecr.dkr",
  "ssm",
  "ssmmessages",
  "ec2messages",
] as const;

export type NetworkArgs =
  | {
      mode: "create";
      /** Name prefix for tags (`Name` tag). */
      namePrefix: string;
      /** VPC CIDR, /16-/24. Subnets are /20 slices (or smaller for small VPCs). */
      cidr: string;
      /** Region of the VPC, for endpoint service names (`com.amazonaws.<region>.<service>`). */
      region: pulumi.Input<string>;
      /** Private subnets, one per AZ. Default 2. */
      availabilityZoneCount?: number;
      /** Create the interface endpoints above. Default true. */
      interfaceEndpoints?: boolean;
      /** Subnets (AZs) that host interface endpoints; 1 halves their hourly cost. Default 2. */
      interfaceEndpointAzCount?: number;
      tags?: Tags;
    }
  | {
      mode: "existing";
      vpcId: string;
      subnetIds: string[];
      /** CIDR of the existing VPC; the workload security group accepts nothing from outside it. */
      vpcCidr: string;
      tags?: Tags;
    };

/** Splits a /16-/24 CIDR into `count` equal private subnets (each 2 bits smaller, at least /26). */
export function subnetCidrs(cidr: string, count: number): string[] {
  const [base, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const subPrefix = Math.min(Math.max(prefix + 2, 20), 28);
  const baseInt = base.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - subPrefix);
  return Array.from({ length: count }, (_, i) => {
    const start = baseInt + i * size;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
    return `${octets.join(".")}/${subPrefix}`;
  });
}

/**
 * The VPC the platform's workloads sit in: private subnets only, no NAT or internet gateway,
 * an S3 gateway endpoint and the interface endpoints above, each open on 443 only to the VPC.
 * Or, with `mode: "existing"`, the caller's VPC and subnets (then only the workload group is made).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;
  readonly vpcCidr: string;
  /** Security group for notebook, training jobs and trainer: members talk to each other, HTTPS out. */
  readonly workloadSecurityGroupId: pulumi.Output<string>;
  readonly endpointSecurityGroupId?: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:network:Network", name, {}, opts);
    const tags = componentTags(args.tags, "network");

    if (args.mode === "existing") {
      this.vpcId = pulumi.output(args.vpcId);
      this.subnetIds = pulumi.output(args.subnetIds);
      this.vpcCidr = args.vpcCidr;
    } else {
      const azCount = args.availabilityZoneCount ?? 2;
      const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
      const vpc = new aws.ec2.Vpc(
        name,
        {
          cidrBlock: args.cidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: { ...tags, Name: args.namePrefix },
        },
        { parent: this },
      );
      const routeTable = new aws.ec2.RouteTable(
        `${name}-private`,
        { vpcId: vpc.id, tags: { ...tags, Name: `${args.namePrefix}-private` } },
        { parent: this },
      );
      const subnets = subnetCidrs(args.cidr, azCount).map((cidrBlock, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: zones.names[i],
            mapPublicIpOnLaunch: false,
            tags: { ...tags, Name: `${args.namePrefix}-private-${i}`, tier: "private" },
          },
          { parent: this },
        );
        new aws.ec2.RouteTableAssociation(
          `${name}-private-${i}`,
          { subnetId: subnet.id, routeTableId: routeTable.id },
          { parent: this },
        );
        return subnet;
      });
      this.vpcId = vpc.id;
      this.subnetIds = pulumi.all(subnets.map((s) => s.id));
      this.vpcCidr = args.cidr;

      new aws.ec2.VpcEndpoint(
        `${name}-s3`,
        {
          vpcId: vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${args.region}.s3`,
          vpcEndpointType: "Gateway",
          routeTableIds: [routeTable.id],
          tags: { ...tags, Name: `${args.namePrefix}-s3` },
        },
        { parent: this },
      );

      if (args.interfaceEndpoints ?? true) {
        const endpointSg = new aws.ec2.SecurityGroup(
          `${name}-endpoints`,
          {
            vpcId: vpc.id,
            description: "VPC interface endpoints: HTTPS from inside the VPC only",
            ingress: [
              {
                description: "HTTPS from the VPC",
                protocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrBlocks: [args.cidr],
              },
            ],
            egress: [],
            tags: { ...tags, Name: `${args.namePrefix}-endpoints` },
          },
          { parent: this },
        );
        this.endpointSecurityGroupId = endpointSg.id;
        const endpointSubnets = subnets.slice(0, args.interfaceEndpointAzCount ?? 2).map((s) => s.id);
        for (const service of INTERFACE_ENDPOINT_SERVICES) {
          new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(/\./g, "-")}`,
            {
              vpcId: vpc.id,
              serviceName: pulumi.interpolate`com.amazonaws.${args.region}.${service}`,
              vpcEndpointType: "Interface",
              privateDnsEnabled: true,
              subnetIds: endpointSubnets,
              securityGroupIds: [endpointSg.id],
              tags: { ...tags, Name: `${args.namePrefix}-${service}` },
            },
            { parent: this },
          );
        }
      }
    }

    const workload = new aws.ec2.SecurityGroup(
      `${name}-workload`,
      {
        vpcId: this.vpcId,
        description:
          "ML workloads: traffic between members (distributed training), HTTPS out, nothing in from outside",
        ingress: [
          {
            description: "Members of this group (torch.distributed)",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            self: true,
          },
        ],
        egress: [
          { description: "Members of this group", protocol: "-1", fromPort: 0, toPort: 0, self: true },
          {
            description: "HTTPS to VPC endpoints and S3",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
          },
        ],
        tags: { ...tags, Name: `${name}-workload` },
      },
      { parent: this },
    );
    this.workloadSecurityGroupId = workload.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      workloadSecurityGroupId: this.workloadSecurityGroupId,
    });
  }
}
