/**
 * Interface endpoints from needs: each component declares what it calls inside the VPC (with the
 * AWS page it was checked against), the network creates the union, config adds or drops.
 */
import { ec2TrainerInterfaceEndpointNeeds } from "../../components/ec2-trainer";
import { inferenceEndpointInterfaceEndpointNeeds } from "../../components/inference-endpoint";
import { inferenceFunctionInterfaceEndpointNeeds } from "../../components/inference-function";
import { planInterfaceEndpoints, resolveNetworkArgs } from "../../components/network";
import { notebookInterfaceEndpointNeeds } from "../../components/notebook";
import { trainingInterfaceEndpointNeeds } from "../../components/training-cluster";
import { validateConfig } from "../../stacks/config";
import { interfaceEndpointNeeds, stackInterfaceEndpoints } from "../../stacks/interface-endpoints";
import { runStack } from "../harness";

const BASE = { owner: "team", costCenter: "cc-1" };
const services = (run: Awaited<ReturnType<typeof runStack>>) =>
  run
    .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
    .filter((e) => e.inputs.vpcEndpointType === "Interface")
    .map((e) => String(e.inputs.serviceName).replace("com.amazonaws.us-east-1.", ""));

describe("each component's needs", () => {
  it("the notebook without direct internet: SageMaker API (idle stop), STS (SDK), Logs; with it: none", () => {
    expect(notebookInterfaceEndpointNeeds({ directInternetAccess: false }).map((n) => n.service)).toEqual([
      "sagemaker.api",
      "sts",
      "logs",
    ]);
    expect(notebookInterfaceEndpointNeeds({ directInternetAccess: true })).toEqual([]);
  });

  it("the EC2 trainer: SSM and SSM messages only with Session Manager, never EC2 messages", () => {
    expect(ec2TrainerInterfaceEndpointNeeds({ sessionManager: true }).map((n) => n.service)).toEqual([
      "ssm",
      "ssmmessages",
    ]);
    expect(ec2TrainerInterfaceEndpointNeeds({ sessionManager: false })).toEqual([]);
  });

  it("training jobs, the endpoint and the function: none (S3 through the gateway, or not in the VPC)", () => {
    expect(trainingInterfaceEndpointNeeds()).toEqual([]);
    expect(inferenceEndpointInterfaceEndpointNeeds()).toEqual([]);
    expect(inferenceFunctionInterfaceEndpointNeeds()).toEqual([]);
  });

  it("every need names who needs it, what breaks without it and an AWS source page", () => {
    const all = [...notebookInterfaceEndpointNeeds({}), ...ec2TrainerInterfaceEndpointNeeds({})];
    for (const n of all) {
      expect(n.source).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|github\.com\/aws\/)/);
      expect(n.neededBy.length).toBeGreaterThan(5);
      expect(n.breaksWithout.length).toBeGreaterThan(20);
    }
  });
});

describe("the union the stacks create", () => {
  it("dev: the notebook's three, in one AZ; its EC2 trainer has Session Manager off", async () => {
    const run = await runStack("dev");
    expect(services(run)).toEqual(["sagemaker.api", "sts", "logs"]);
    for (const e of run
      .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
      .filter((x) => x.inputs.vpcEndpointType === "Interface"))
      expect(e.inputs.subnetIds).toHaveLength(1);
    expect(run.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-s3").inputs.vpcEndpointType).toBe("Gateway");
  });

  it("prod: the same three, in two AZs (no EC2 trainer)", async () => {
    const run = await runStack("prod");
    expect(services(run)).toEqual(["sagemaker.api", "sts", "logs"]);
    expect(run.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-sts").inputs.subnetIds).toHaveLength(2);
  });

  it("Session Manager on the EC2 trainer adds ssm and ssmmessages", async () => {
    const run = await runStack("dev", { "ml-platform:ec2Trainer": { sessionManager: true } });
    expect(services(run)).toEqual(["sagemaker.api", "sts", "logs", "ssm", "ssmmessages"]);
  });

  it("nothing in the VPC that calls out: no interface endpoint and no endpoint security group", async () => {
    const run = await runStack("dev", { "ml-platform:notebook": { directInternetAccess: true } });
    expect(services(run)).toEqual([]);
    expect(run.ofType("aws:ec2/securityGroup:SecurityGroup").map((g) => g.name)).not.toContain(
      "network-endpoints",
    );
    expect(run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.name)).toEqual(["network-s3"]);
  });

  it("config adds a service nothing declares", async () => {
    const run = await runStack("dev", {
      "ml-platform:network": { interfaceEndpoints: { add: ["ecr.api", "ecr.dkr"] } },
    });
    expect(services(run)).toEqual(["sagemaker.api", "sts", "logs", "ecr.api", "ecr.dkr"]);
  });

  it("config drops one, with a warning naming what stops working", async () => {
    const run = await runStack("dev", {
      "ml-platform:network": { interfaceEndpoints: { drop: ["sagemaker.api"] } },
    });
    expect(services(run)).toEqual(["sts", "logs"]);
    const config = validateConfig({ ...BASE, network: { interfaceEndpoints: { drop: ["sagemaker.api"] } } });
    expect(stackInterfaceEndpoints(config).warnings).toEqual([
      "network.interfaceEndpoints.drop: no sagemaker.api endpoint, so notebook (idle stop, SageMaker SDK): the idle-stop " +
        "script cannot call StopNotebookInstance (the notebook bills until stopped by hand) and the SageMaker SDK " +
        "cannot create or watch training jobs",
    ]);
  });
});

describe("config changes that would do nothing are errors", () => {
  const problems = (network: unknown, extra: Record<string, unknown> = {}) => {
    try {
      validateConfig({ ...BASE, network, ...extra });
      return [];
    } catch (err) {
      return (err as Error).message
        .split("\n")
        .slice(1)
        .map((l) => l.replace(/^ {2}- /, ""));
    }
  };

  it("adding what is needed, dropping what is not, listing one twice or in both", () => {
    expect(
      problems({ interfaceEndpoints: { add: ["sts", "ecr.api", "ecr.api"], drop: ["ssm", "ecr.api"] } }),
    ).toEqual([
      'ml-platform:network.interfaceEndpoints.add.0 adds "sts", which notebook (SageMaker SDK) already needs (remove it from add) (got "sts")',
      'ml-platform:network.interfaceEndpoints.add.1 adds "ecr.api", which drop also lists (got "ecr.api")',
      'ml-platform:network.interfaceEndpoints.add.2 adds "ecr.api", which drop also lists (got "ecr.api")',
      'ml-platform:network.interfaceEndpoints.drop.0 drops "ssm", which nothing in this stack needs (needed: sagemaker.api, sts, logs) (got "ssm")',
      'ml-platform:network.interfaceEndpoints.drop.1 drops "ecr.api", which nothing in this stack needs (needed: sagemaker.api, sts, logs) (got "ecr.api")',
    ]);
  });

  it("a service name that is not one, and the old true/false form", () => {
    expect(problems({ interfaceEndpoints: { add: ["ECR API"] } })).toEqual([
      'ml-platform:network.interfaceEndpoints.add.0 must be the service part of com.amazonaws.<region>.<service>, such as sagemaker.api or ecr.dkr (got "ECR API")',
    ]);
    expect(problems({ interfaceEndpoints: false })).toEqual([
      "ml-platform:network.interfaceEndpoints must be a map of settings (known: add, drop) (got false)",
    ]);
  });

  it("with an existing VPC the stack creates no endpoints, so add/drop are inert", () => {
    expect(
      problems({
        mode: "existing",
        vpcId: "vpc-0abc1234",
        subnetIds: ["subnet-0abc1234"],
        vpcCidr: "10.9.0.0/16",
        interfaceEndpoints: { add: ["ecr.api"] },
      }),
    ).toEqual([
      'ml-platform:network.interfaceEndpoints does nothing with network.mode "existing" (it shapes a VPC this stack creates); remove it or set network.mode to "create"',
    ]);
  });

  it("a parked stack keeps its drops valid and creates none", () => {
    const config = validateConfig({
      ...BASE,
      parked: true,
      network: { interfaceEndpoints: { drop: ["logs"] } },
    });
    expect(stackInterfaceEndpoints(config)).toMatchObject({ services: [], warnings: [] });
    expect(interfaceEndpointNeeds(config).map((n) => n.service)).toEqual(["sagemaker.api", "sts", "logs"]);
  });
});

describe("planInterfaceEndpoints and the network's own argument", () => {
  it("keeps the order first needed and lists each service once", () => {
    const need = (service: string, neededBy: string) => ({
      service,
      neededBy,
      breaksWithout: "x",
      source: "y",
    });
    expect(
      planInterfaceEndpoints([need("sts", "a"), need("logs", "a"), need("sts", "b")], { add: ["ecr.api"] })
        .services,
    ).toEqual(["sts", "logs", "ecr.api"]);
  });

  it("Network refuses a service listed twice or malformed, naming the argument", () => {
    expect(() =>
      resolveNetworkArgs("net", {
        namePrefix: "n",
        region: "us-east-1",
        interfaceEndpoints: ["sts", "sts", "Bad"],
      }),
    ).toThrow(/args\.interfaceEndpoints\.2 must be the service part/);
    expect(() =>
      resolveNetworkArgs("net", { namePrefix: "n", region: "us-east-1", interfaceEndpoints: ["sts", "sts"] }),
    ).toThrow("Network net: args.interfaceEndpoints must not list a service twice");
  });
});
