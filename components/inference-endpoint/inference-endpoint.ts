import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsContext, sagemakerArn } from "../shared/aws-context";
import { ContainerImage, hasInstanceStorage, imageFromUri, prebuiltImage } from "../shared/dlc-image";
import { invokeEndpoint, PolicyStatement } from "../shared/iam";
import { aliasOrKey } from "../shared/kms";
import { serviceRole } from "../shared/service-role";
import { componentTags } from "../shared/tags";
import { InferenceEndpointArgs, resolveEndpointArgs, ResolvedVariant } from "./args";
import { endpointLogGroupName, modelExecutionStatements } from "./execution-role";
import { MAX_REQUEST_BYTES } from "./limits";
import { SAGEMAKER_SCALING, variantResourceId } from "./scaling";

/** The serving container's entry point travels inside the artifact, at `code/inference.py`. */
export const SERVING_ENVIRONMENT = {
  SAGEMAKER_PROGRAM: "inference.py",
  // Network isolation: the container cannot fetch code from S3, so it runs what the artifact holds.
  SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
  SAGEMAKER_CONTAINER_LOG_LEVEL: "20",
} as const;

/** What a caller needs to invoke an endpoint: `InferenceEndpoint` is one, `endpointReference` makes one. */
export interface InvokableEndpoint {
  readonly endpointName: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:endpoint/<lower-cased name>`, known at preview. */
  readonly endpointArn: pulumi.Output<string>;
  /** Largest request body the endpoint accepts, when known (4 MB serverless, 6 MB real-time). */
  readonly maxRequestBytes?: number;
  /** `sagemaker:InvokeEndpoint` on exactly this endpoint: grant it to whoever calls the endpoint. */
  invokePolicyStatement(): pulumi.Output<PolicyStatement>;
}

/** An endpoint created elsewhere (another stack or program), by name. */
export function endpointReference(
  context: pulumi.Input<AwsContext>,
  endpointName: string,
  maxRequestBytes?: number,
): InvokableEndpoint {
  const endpointArn = pulumi.output(context).apply((c) => sagemakerArn(c, "endpoint", endpointName));
  return {
    endpointName,
    endpointArn,
    maxRequestBytes,
    invokePolicyStatement: () => endpointArn.apply((arn) => invokeEndpoint(arn)),
  };
}

/**
 * A SageMaker real-time or serverless endpoint for a PyTorch model artifact: Model (network
 * isolation on, least-privilege execution role), EndpointConfiguration (auto-named, so a change
 * creates the new one before deleting the old; KMS-encrypted volume and captures), Endpoint
 * (deterministic name), its log group, and optional target tracking on invocations per instance.
 * Parked, only the role and the log group are declared (the name and ARN stay the same).
 */
export class InferenceEndpoint extends pulumi.ComponentResource implements InvokableEndpoint {
  readonly endpointName: string;
  readonly endpointArn: pulumi.Output<string>;
  readonly variantName: string;
  readonly maxRequestBytes: number;
  /** The execution role's ARN, assembled from known parts. */
  readonly roleArn: pulumi.Output<string>;
  readonly role: aws.iam.Role;
  /** Absent while parked. */
  readonly model?: aws.sagemaker.Model;
  /** Absent while parked. */
  readonly endpointConfiguration?: aws.sagemaker.EndpointConfiguration;
  /** Absent while parked. */
  readonly endpoint?: aws.sagemaker.Endpoint;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly scalableTarget?: aws.appautoscaling.Target;
  readonly scalingPolicy?: aws.appautoscaling.Policy;

  constructor(name: string, args: InferenceEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveEndpointArgs(name, args);
    super("ml-platform:serving:InferenceEndpoint", name, {}, opts);
    // Every KMS field of an endpoint configuration accepts an alias ARN (docs/kms.md).
    const kmsKey = aliasOrKey(args);
    const tags = componentTags(args.tags, "inference-endpoint");
    const ctx = pulumi.output(args.context);
    const child = { parent: this };
    const variant = a.variant;
    this.endpointName = a.endpointName;
    this.variantName = a.variantName;
    this.maxRequestBytes = MAX_REQUEST_BYTES[variant.mode];
    this.endpointArn = ctx.apply((c) => sagemakerArn(c, "endpoint", a.endpointName));

    const resolvedImage = a.image;
    const image: pulumi.Output<ContainerImage> =
      "uri" in resolvedImage
        ? ctx.apply((c) => imageFromUri(c, resolvedImage.uri))
        : prebuiltImage(ctx, resolvedImage.repositoryName, resolvedImage.tag, child);

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: endpointLogGroupName(a.endpointName), retentionInDays: a.logRetentionDays, tags },
      child,
    );

    const { role, policy, arn } = serviceRole(
      name,
      {
        roleName: a.roleName,
        service: "sagemaker",
        description: `Execution role of the model behind SageMaker endpoint ${a.endpointName}`,
        context: ctx,
        statements: pulumi
          .all([ctx, args.modelDataUrl, kmsKey, image])
          .apply(([c, modelDataUrl, kmsKeyArn, img]) =>
            modelExecutionStatements(c, {
              endpointName: a.endpointName,
              modelDataUrl,
              kmsKeyArn,
              imageRepositoryArn: img.repositoryArn,
              dataCapture: a.dataCapture,
            }),
          ),
        tags,
        // The policy names the log group by its ARN.
        policyDependsOn: [this.logGroup],
      },
      this,
    );
    this.role = role;
    this.roleArn = arn;

    // Parked: the role and the log group stay; nothing that bills by the hour is declared.
    if (a.parked) {
      this.registerOutputs({
        endpointName: this.endpointName,
        endpointArn: this.endpointArn,
        roleArn: this.roleArn,
      });
      return;
    }
    this.model = new aws.sagemaker.Model(
      `${name}-model`,
      {
        // The assembled ARN keeps the input known at preview; dependsOn orders it after the role.
        executionRoleArn: this.roleArn,
        enableNetworkIsolation: a.networkIsolation,
        primaryContainer: {
          image: image.uri,
          modelDataUrl: args.modelDataUrl,
          mode: "SingleModel",
          environment: {
            ...SERVING_ENVIRONMENT,
            // The handler refuses bodies above the endpoint's own request limit.
            MAX_IMAGE_BYTES: String(this.maxRequestBytes),
            // AWS recommends one worker (one copy of the model) per serverless container.
            ...(variant.mode === "serverless" ? { SAGEMAKER_MODEL_SERVER_WORKERS: "1" } : {}),
            ...(args.environment ?? {}),
          },
        },
        tags,
      },
      { parent: this, dependsOn: [this.role, policy] },
    );

    this.endpointConfiguration = new aws.sagemaker.EndpointConfiguration(
      `${name}-config`,
      {
        // No `name`: Pulumi auto-names it, so a change creates the new configuration before the
        // endpoint switches to it and the old one is deleted.
        productionVariants: [productionVariant(a.variantName, this.model.name, variant)],
        kmsKeyArn: volumeKmsKeyArn(variant, kmsKey),
        dataCaptureConfig: a.dataCapture && {
          enableCapture: true,
          initialSamplingPercentage: a.dataCapture.samplingPercentage,
          destinationS3Uri: `s3://${a.dataCapture.bucketName}/${a.dataCapture.prefix}`,
          kmsKeyId: kmsKey,
          captureOptions: [{ captureMode: "Input" }, { captureMode: "Output" }],
          // Predictions are stored as readable JSON; images are stored base64-encoded.
          captureContentTypeHeader: { jsonContentTypes: ["application/json"] },
        },
        tags,
      },
      child,
    );

    this.endpoint = new aws.sagemaker.Endpoint(
      name,
      { name: a.endpointName, endpointConfigName: this.endpointConfiguration.name, tags },
      { parent: this, dependsOn: [this.logGroup] },
    );

    if (variant.mode === "instance" && variant.autoscaling) {
      const scaling = variant.autoscaling;
      // Built from known names (not the endpoint's outputs), so it is known at preview;
      // dependsOn registers the target only once the endpoint exists.
      const resourceId = variantResourceId(a.endpointName, a.variantName);
      this.scalableTarget = new aws.appautoscaling.Target(
        `${name}-scaling`,
        {
          serviceNamespace: SAGEMAKER_SCALING.serviceNamespace,
          scalableDimension: SAGEMAKER_SCALING.scalableDimension,
          resourceId,
          minCapacity: scaling.minCapacity,
          maxCapacity: scaling.maxCapacity,
          tags,
        },
        { parent: this, dependsOn: [this.endpoint] },
      );
      this.scalingPolicy = new aws.appautoscaling.Policy(
        `${name}-invocations`,
        {
          name: `${a.endpointName}-invocations-per-instance`,
          policyType: "TargetTrackingScaling",
          serviceNamespace: SAGEMAKER_SCALING.serviceNamespace,
          scalableDimension: SAGEMAKER_SCALING.scalableDimension,
          resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: SAGEMAKER_SCALING.predefinedMetricType },
            targetValue: scaling.targetValue,
            scaleInCooldown: scaling.scaleInCooldownSeconds,
            scaleOutCooldown: scaling.scaleOutCooldownSeconds,
          },
        },
        { parent: this, dependsOn: [this.scalableTarget] },
      );
    }

    this.registerOutputs({
      endpointName: this.endpointName,
      endpointArn: this.endpointArn,
      variantName: this.variantName,
      roleArn: this.roleArn,
    });
  }

  invokePolicyStatement(): pulumi.Output<PolicyStatement> {
    return this.endpointArn.apply((arn) => invokeEndpoint(arn));
  }
}

function productionVariant(
  variantName: string,
  modelName: pulumi.Input<string>,
  variant: ResolvedVariant,
): aws.types.input.sagemaker.EndpointConfigurationProductionVariant {
  if (variant.mode === "serverless")
    return {
      variantName,
      modelName,
      serverlessConfig: { memorySizeInMb: variant.memorySizeMb, maxConcurrency: variant.maxConcurrency },
    };
  return {
    variantName,
    modelName,
    instanceType: variant.instanceType,
    initialInstanceCount: variant.initialInstanceCount,
    initialVariantWeight: 1,
  };
}

/**
 * The key for the instances' storage volume. Serverless variants have no instance volume (the
 * KmsKeyId of CreateEndpointConfig names "the storage volume attached to the ML compute
 * instance"), and instance families with local NVMe storage encrypt it in hardware and refuse a
 * key; both get none.
 */
function volumeKmsKeyArn(
  variant: ResolvedVariant,
  kmsKeyArn: pulumi.Input<string>,
): pulumi.Input<string> | undefined {
  if (variant.mode === "serverless") return undefined;
  return hasInstanceStorage(variant.instanceType) ? undefined : kmsKeyArn;
}
