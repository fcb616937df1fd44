// Another team's program: a SageMaker endpoint for their model and the Lambda that classifies
// images with it. The function's role may invoke exactly this endpoint: InferenceFunction takes the
// endpoint and attaches its invokePolicyStatement(), nothing wider.
import * as pulumi from "@pulumi/pulumi";
import { InferenceEndpoint, InferenceFunction, lookupAwsContext } from "ml-platform-components";

const config = new pulumi.Config();

export = async () => {
  const context = await lookupAwsContext();
  const endpoint = new InferenceEndpoint("classifier", {
    endpointName: "team-x-classifier",
    context,
    modelDataUrl: config.require("modelDataUrl"),
    kmsKeyArn: config.require("kmsKeyArn"),
    instanceType: "ml.m5.large",
    // Two instances at least: one has no Availability Zone redundancy (AWS Security Hub SageMaker.4).
    autoscaling: { minCapacity: 2, maxCapacity: 4, peakRequestsPerSecondPerInstance: 0.5 },
    tags: { team: "x" },
  });
  const classify = new InferenceFunction("classify", {
    functionName: "team-x-classify",
    context,
    endpoint,
    reservedConcurrency: 5,
    tags: { team: "x" },
  });
  return {
    endpointName: endpoint.endpointName,
    functionName: classify.functionName,
    aliasArn: classify.aliasArn,
  };
};
