/** The model's execution role: what SageMaker may do on the endpoint's behalf, and nothing more. */
import { AwsContext } from "../shared/aws-context";
import {
  ecrPull,
  KMS_DECRYPT_ACTIONS,
  KMS_ENCRYPT_ACTIONS,
  kmsUse,
  logsWrite,
  PolicyStatement,
  putMetricData,
  s3ReadObject,
  s3WritePrefix,
} from "../shared/iam";

/** Namespace of the per-instance metrics (CPU, memory, disk) SageMaker publishes for endpoints. */
export const ENDPOINT_METRICS_NAMESPACE = "/aws/sagemaker/Endpoints";

/** `/aws/sagemaker/Endpoints/<endpoint name>`: where SageMaker writes the container's logs. */
export const endpointLogGroupName = (endpointName: string): string =>
  `/aws/sagemaker/Endpoints/${endpointName}`;

export interface ModelExecutionScope {
  endpointName: string;
  modelDataUrl: string;
  kmsKeyArn: string;
  imageRepositoryArn: string;
  dataCapture?: { bucketName: string; prefix: string };
}

/**
 * Read the one model artifact (and decrypt it), pull the serving image, write the endpoint's own
 * logs and metrics, and, with data capture, write under `<prefix>/<endpoint name>/` only (where
 * SageMaker puts captures: `<prefix>/<endpoint>/<variant>/<yyyy>/<mm>/<dd>/<hh>/...`).
 */
export function modelExecutionStatements(ctx: AwsContext, scope: ModelExecutionScope): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    s3ReadObject(ctx, scope.modelDataUrl, "ReadModelArtifact"),
    kmsUse(ctx, scope.kmsKeyArn, "DecryptModelArtifact", KMS_DECRYPT_ACTIONS),
    ...ecrPull(scope.imageRepositoryArn, "PullServingImage"),
    ...logsWrite(ctx, [endpointLogGroupName(scope.endpointName)], "WriteEndpointLogs"),
    putMetricData(ENDPOINT_METRICS_NAMESPACE, "PublishEndpointMetrics"),
  ];
  if (scope.dataCapture) {
    const { bucketName, prefix } = scope.dataCapture;
    statements.push(
      ...s3WritePrefix(ctx, bucketName, `${prefix}/${scope.endpointName}`, "CaptureData"),
      kmsUse(ctx, scope.kmsKeyArn, "EncryptCapturedData", KMS_ENCRYPT_ACTIONS),
    );
  }
  return statements;
}
