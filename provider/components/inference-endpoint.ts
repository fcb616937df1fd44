/** InferenceEndpoint for Pulumi programs in any language (see components/inference-endpoint). */
import * as pulumi from "@pulumi/pulumi";
import * as ts from "../../components/inference-endpoint";
import type { AwsContext } from "../../components/shared/aws-context";
import type { Tags } from "../../components/shared/tags";
import { adapt, awsContext, Expect, SameArgNames, token } from "./adapter";

/** Real-time instances or serverless inference. */
export const EndpointMode = {
  /** Real-time instances: network isolation, data capture and autoscaling work here. */
  Instance: "instance",
  /** Serverless inference: cheap while idle; no isolation, capture or autoscaling. */
  Serverless: "serverless",
} as const;
export type EndpointMode = (typeof EndpointMode)[keyof typeof EndpointMode];

/**
 * A measured capacity figure (`npm run bench:serve` writes one; see components/README.md,
 * InferenceEndpoint). The TypeScript component's `latencyPercentile` is the union `50 | 99`, which
 * the schema cannot express: here it is a number, and the component rejects anything but 50 or 99.
 */
export interface EndpointMeasuredCapacity {
  /** Requests per second one instance sustained within the bound (the file's `sustainedRequestsPerSecond`). */
  requestsPerSecondPerInstance: number;
  /** vCPUs of the machine it was measured on; must equal the instance type's vCPUs. */
  vCpus: number;
  /** The latency bound the figure kept to, milliseconds. */
  latencyBoundMs: number;
  /** The percentile the bound is on: 50 or 99. */
  latencyPercentile: number;
  /** Where the figure comes from (a file, a load test): shown in the plan. */
  source: string;
  /** When it was measured (ISO 8601). Default: not shown. */
  measuredAt?: string;
}

/** Target tracking on invocations per instance (components/inference-endpoint's, with `capacity` as above). */
export interface EndpointAutoscalingArgs {
  /** Fewest instances (>= 1). Required. */
  minCapacity: number;
  /** Most instances (>= minCapacity). Required. */
  maxCapacity: number;
  /**
   * Target of `SageMakerVariantInvocationsPerInstance` (invocations per instance per minute).
   * Set exactly one of this, `peakRequestsPerSecondPerInstance` or `capacity` (see `invocationsTarget`).
   */
  targetInvocationsPerInstance?: number;
  /** Intent: requests per second one instance sustains at peak; target = rps × 60 × safetyFactor. */
  peakRequestsPerSecondPerInstance?: number;
  /**
   * A measured figure (e.g. from `npm run bench:serve`): target = its rps × 60 × safetyFactor. It
   * must have been measured on as many vCPUs as `instanceType` has. Default: none.
   */
  capacity?: EndpointMeasuredCapacity;
  /** Share of the peak to aim for, 0 < f <= 1; only with `peakRequestsPerSecondPerInstance` or `capacity`. Default 0.5. */
  safetyFactor?: number;
  /** Seconds after a scale-in before the next one. Default 300 (remove capacity slowly). */
  scaleInCooldownSeconds?: number;
  /** Seconds after a scale-out before the next one. Default 60 (add capacity quickly). */
  scaleOutCooldownSeconds?: number;
}
export type EndpointAutoscalingArgsMatch = Expect<
  SameArgNames<ts.EndpointAutoscalingArgs, EndpointAutoscalingArgs>
>;
export type EndpointMeasuredCapacityMatch = Expect<
  SameArgNames<ts.MeasuredCapacity, EndpointMeasuredCapacity>
>;

export interface InferenceEndpointArgs {
  /** Endpoint name: deterministic, so its ARN is known at preview. Required. */
  endpointName: string;
  /** Name of the model's execution role. Default `<endpointName>-model` (64 characters at most). */
  roleName?: string;
  /** The partition, region and account. Default: looked up with the AWS provider (getPartition, getRegion, getCallerIdentity). */
  context?: pulumi.Input<AwsContext>;
  /** `s3://<bucket>/<key>.tar.gz` of the model artifact; the role may read this one object only. Required. */
  modelDataUrl: pulumi.Input<string>;
  /**
   * KMS key ARN (or alias ARN: every KMS field of an endpoint configuration accepts one): the key
   * the artifact is encrypted with (the role may decrypt with it), which also encrypts the instance
   * volume and the captured data. Required.
   */
  kmsKeyArn: pulumi.Input<string>;
  /** An alias ARN of the same key, known at preview: used instead of `kmsKeyArn` wherever the key is named. Default: none. */
  kmsAliasArn?: pulumi.Input<string>;
  /**
   * The serving image: a version of AWS's `pytorch-inference` container (CPU or GPU by instance
   * type), or `{ uri }` of an ECR image of your own. Default `{ frameworkVersion: "2.1", pythonVersion: "py310" }`.
   */
  image?: ts.EndpointImageArgs;
  /** Extra environment of the serving container (merged over the component's own). */
  environment?: Record<string, string>;
  /**
   * Model container without network access. Default true for instance endpoints (the handler
   * fetches nothing). Serverless endpoints do not support it (AWS lists network isolation among
   * serverless feature exclusions), so there the default is false and true is an error.
   */
  networkIsolation?: boolean;
  /** `instance` (real-time instances) or `serverless`. Default `instance`. */
  mode?: EndpointMode;
  /** Instance type, instance mode only. Default `ml.m5.large`. */
  instanceType?: string;
  /** Instances at creation, instance mode only. Default 1 (or autoscaling.minCapacity). */
  initialInstanceCount?: number;
  /** Serverless mode only. Default `{ memorySizeMb: 2048, maxConcurrency: 5 }`. */
  serverless?: ts.EndpointServerlessArgs;
  /** Production variant name. Default `AllTraffic`. */
  variantName?: string;
  /** Target tracking on invocations per instance, instance mode only. Default: no autoscaling. */
  autoscaling?: EndpointAutoscalingArgs;
  /** Capture requests and responses to S3 (KMS-encrypted), instance mode only. Default: off. */
  dataCapture?: ts.EndpointDataCaptureArgs;
  /** Retention of the endpoint's log group `/aws/sagemaker/Endpoints/<endpointName>`. Default 30. */
  logRetentionDays?: number;
  /** Parked: declare the role and the log group only (no model, configuration, endpoint or scaling). Default false. */
  parked?: boolean;
  tags?: Tags;
}
export type InferenceEndpointArgsMatch = Expect<
  SameArgNames<ts.InferenceEndpointArgs, InferenceEndpointArgs>
>;

/** Arguments passed through as Inputs (the rest are made plain first; see adapt). */
export const inputs: readonly string[] = ["context", "modelDataUrl", "kmsKeyArn", "kmsAliasArn"];

/** A SageMaker endpoint serving a PyTorch model artifact, optionally autoscaled on invocations per instance. */
export class InferenceEndpoint extends pulumi.ComponentResource {
  readonly endpointName: pulumi.Output<string>;
  /** Assembled from known parts: known at preview. */
  readonly endpointArn: pulumi.Output<string>;
  readonly variantName: pulumi.Output<string>;
  /** The largest request the endpoint accepts: 6 MiB real-time, 4 MiB serverless (an `InferenceFunction`'s `endpointMaxRequestBytes`). */
  readonly maxRequestBytes: pulumi.Output<number>;
  /** The model's execution role. */
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: InferenceEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super(token("InferenceEndpoint"), name, {}, opts);
    const out = adapt(this, `InferenceEndpoint ${name}`, args, inputs, (a, opts) => {
      // The component validates `autoscaling.capacity.latencyPercentile` (50 or 99) before anything.
      const tsArgs = { ...a, context: awsContext(a.context, this) } as ts.InferenceEndpointArgs;
      const endpoint = new ts.InferenceEndpoint(name, tsArgs, opts);
      return {
        endpointName: endpoint.endpointName,
        endpointArn: endpoint.endpointArn,
        variantName: endpoint.variantName,
        maxRequestBytes: endpoint.maxRequestBytes,
        roleArn: endpoint.roleArn,
      };
    });
    this.endpointName = out.endpointName;
    this.endpointArn = out.endpointArn;
    this.variantName = out.variantName;
    this.maxRequestBytes = out.maxRequestBytes;
    this.roleArn = out.roleArn;
    this.registerOutputs({
      endpointName: this.endpointName,
      endpointArn: this.endpointArn,
      variantName: this.variantName,
      maxRequestBytes: this.maxRequestBytes,
      roleArn: this.roleArn,
    });
  }
}
