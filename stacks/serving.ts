/**
 * The serving block of the composition: the inference endpoint and the function that calls it,
 * each behind its `enabled` switch. Kept apart from platform.ts so the training and serving
 * blocks stay small and clearly delimited there.
 */
import * as pulumi from "@pulumi/pulumi";
import { InferenceEndpoint } from "../components/inference-endpoint";
import { InferenceFunction } from "../components/inference-function";
import { AwsContext } from "../components/shared/aws-context";
import { Tags } from "../components/shared/tags";
import { PlatformConfig } from "./config";
import { fromConfig } from "./config-keys";

export interface ServingNames {
  endpoint: string;
  endpointRole: string;
  inferenceFunction: string;
  inferenceFunctionRole: string;
}

export interface ServingArgs {
  config: PlatformConfig;
  context: AwsContext;
  names: ServingNames;
  /** The artifact store: data capture goes under its `data-capture/` prefix. */
  store: { bucketName: string; prefixes: { dataCapture: string } };
  kmsKeyArn: pulumi.Input<string>;
  /** The key's alias ARN (known at preview), when the stack has one. */
  kmsAliasArn?: pulumi.Input<string>;
  /** What the endpoint names by literal (the artifact store): it is created after them. */
  dependsOn?: pulumi.Resource[];
  /** `s3://.../model.tar.gz` to serve (the training job's, or model.url); undefined serves nothing. */
  modelDataUrl: pulumi.Input<string> | undefined;
  tags: Tags;
}

export interface ServingOutputs {
  endpointName?: string;
  /** ARN of the function's `live` alias: what callers invoke. */
  functionArn?: pulumi.Output<string>;
  functionName?: string;
  functionUrl?: pulumi.Output<string>;
}

/** Where the serving components' arguments come from in the stack config. */
const ENDPOINT_SOURCE = {
  section: ["endpoint"],
  from: {
    "image.frameworkVersion": ["training", "frameworkVersion"],
    "image.pythonVersion": ["training", "pythonVersion"],
    "dataCapture.samplingPercentage": ["endpoint", "dataCapture", "samplingPercentage"],
  },
  program: [
    "endpointName",
    "roleName",
    "context",
    "modelDataUrl",
    "kmsKeyArn",
    "kmsAliasArn",
    "image",
    "dataCapture",
    "parked",
    "tags",
  ],
};
const FUNCTION_SOURCE = {
  section: ["inferenceFunction"],
  program: ["functionName", "roleName", "context", "endpoint", "bundle", "aliasName", "tags"],
};

export function createServing({
  config,
  context,
  names,
  store,
  kmsKeyArn,
  kmsAliasArn,
  dependsOn,
  modelDataUrl,
  tags,
}: ServingArgs): ServingOutputs {
  if (!config.endpoint.enabled) return {};
  // Config validation requires model.url or training for an enabled endpoint; this guards callers
  // that compose the block differently.
  if (modelDataUrl === undefined) {
    pulumi.log.warn(
      "endpoint: not declared yet: there is no model to serve until the training job has trained one " +
        '(see the training status: it waits for data, or is off). Or set model.source "url" and model.url to serve an existing model.tar.gz.',
    );
    return {};
  }
  const e = config.endpoint;
  const endpoint = fromConfig(
    ENDPOINT_SOURCE,
    () =>
      new InferenceEndpoint(
        "endpoint",
        {
          endpointName: names.endpoint,
          roleName: names.endpointRole,
          context,
          modelDataUrl,
          kmsKeyArn,
          kmsAliasArn,
          image: {
            frameworkVersion: config.training.frameworkVersion,
            pythonVersion: config.training.pythonVersion,
          },
          variantName: e.variantName,
          parked: config.parked,
          ...(e.mode === "serverless"
            ? { mode: "serverless", serverless: e.serverless }
            : {
                mode: "instance",
                instanceType: e.instanceType,
                initialInstanceCount: e.initialInstanceCount,
                autoscaling: e.autoscaling.enabled
                  ? {
                      minCapacity: e.autoscaling.minCapacity,
                      maxCapacity: e.autoscaling.maxCapacity,
                      ...(e.autoscaling.targetInvocationsPerInstance !== undefined
                        ? { targetInvocationsPerInstance: e.autoscaling.targetInvocationsPerInstance }
                        : {
                            peakRequestsPerSecondPerInstance: e.autoscaling.peakRequestsPerSecondPerInstance,
                            safetyFactor: e.autoscaling.safetyFactor,
                          }),
                      scaleInCooldownSeconds: e.autoscaling.scaleInCooldownSeconds,
                      scaleOutCooldownSeconds: e.autoscaling.scaleOutCooldownSeconds,
                    }
                  : undefined,
                dataCapture: e.dataCapture.enabled
                  ? {
                      bucketName: store.bucketName,
                      prefix: store.prefixes.dataCapture,
                      samplingPercentage: e.dataCapture.samplingPercentage,
                    }
                  : undefined,
              }),
          tags,
        },
        { dependsOn },
      ),
  );

  const f = config.inferenceFunction;
  const fn = f.enabled
    ? fromConfig(
        FUNCTION_SOURCE,
        () =>
          new InferenceFunction("inference", {
            functionName: names.inferenceFunction,
            roleName: names.inferenceFunctionRole,
            context,
            endpoint,
            memorySizeMb: f.memorySizeMb,
            timeoutSeconds: f.timeoutSeconds,
            reservedConcurrency: f.reservedConcurrency,
            // Provisioned concurrency bills by the hour: none while parked.
            provisionedConcurrency: config.parked ? 0 : f.provisionedConcurrency,
            functionUrl: f.functionUrl ? {} : undefined,
            logRetentionDays: f.logRetentionDays,
            maxImageBytes: f.maxImageBytes,
            fetchTimeoutMs: f.fetchTimeoutMs,
            endpointTimeoutMs: f.endpointTimeoutMs,
            topK: f.topK,
            tags,
          }),
      )
    : undefined;

  return {
    endpointName: endpoint.endpointName,
    functionArn: fn?.aliasArn,
    functionName: fn?.functionName,
    functionUrl: fn?.functionUrl,
  };
}
