import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentTags } from "../shared/tags";
import { NetworkArgs, resolveNetworkArgs } from "./args";

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
 * an S3 gateway endpoint (free) and the interface endpoints it is given (`interfaceEndpoints`: what
 * the workloads need, see components/shared/interface-endpoints.ts), each open on 443 only to the VPC.
 * Or, with `mode: "existing"`, the caller's VPC and subnets (then only the workload group is made).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;
  readonly vpcCidr: string;
  /** Security group for notebook, training jobs and trainer: members talk to each other, HTTPS out. */
  readonly workloadSecurityGroupId: pulumi.Output<string>;
  readonly endpointSecurityGroupId?: pulumi.Output<string>;
  /** The services that got an interface endpoint (none with `mode: "existing"`). */
  readonly interfaceEndpointServices: string[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveNetworkArgs(name, args);
    super("ml-platform:network:Network", name, {}, opts);
    const tags = componentTags(a.tags, "network");

    if (a.mode === "existing") {
      // The schema requires these in existing mode.
      this.vpcId = pulumi.output(a.vpcId!);
      this.subnetIds = pulumi.output(a.subnetIds!);
      this.vpcCidr = a.vpcCidr!;
      this.interfaceEndpointServices = [];
    } else {
      const namePrefix = a.namePrefix!;
      const region = a.region!;
      const azCount = a.availabilityZoneCount;
      const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
      const vpc = new aws.ec2.Vpc(
        name,
        {
          cidrBlock: a.cidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: { ...tags, Name: namePrefix },
        },
        { parent: this },
      );
      const routeTable = new aws.ec2.RouteTable(
        `${name}-private`,
        { vpcId: vpc.id, tags: { ...tags, Name: `${namePrefix}-private` } },
        { parent: this },
      );
      const subnets = subnetCidrs(a.cidr, azCount).map((cidrBlock, i) => {
        const subnet = new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock,
            availabilityZone: zones.names[i],
            mapPublicIpOnLaunch: false,
            tags: { ...tags, Name: `${namePrefix}-private-${i}`, tier: "private" },
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
      this.vpcCidr = a.cidr;

      new aws.ec2.VpcEndpoint(
        `${name}-s3`,
        {
          vpcId: vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
          vpcEndpointType: "Gateway",
          routeTableIds: [routeTable.id],
          tags: { ...tags, Name: `${namePrefix}-s3` },
        },
        { parent: this },
      );

      this.interfaceEndpointServices = [...a.interfaceEndpoints];
      if (this.interfaceEndpointServices.length > 0) {
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
                cidrBlocks: [a.cidr],
              },
            ],
            egress: [],
            tags: { ...tags, Name: `${namePrefix}-endpoints` },
          },
          { parent: this },
        );
        this.endpointSecurityGroupId = endpointSg.id;
        const endpointSubnets = subnets.slice(0, a.interfaceEndpointAzCount).map((s) => s.id);
        for (const service of this.interfaceEndpointServices) {
          new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(/\./g, "-")}`,
            {
              vpcId: vpc.id,
              serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
              vpcEndpointType: "Interface",
              privateDnsEnabled: true,
              subnetIds: endpointSubnets,
              securityGroupIds: [endpointSg.id],
              tags: { ...tags, Name: `${namePrefix}-${service}` },
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
