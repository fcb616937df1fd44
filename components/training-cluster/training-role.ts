/**
 * The training role's permissions. SageMaker uses this role to download the channels (dataset,
 * code bundle, pretrained weights), pull the training image, write the model and checkpoints,
 * publish logs and metrics, and (in VPC mode) attach network interfaces to the job's instances.
 * Every ARN is assembled from known parts, so the document is known at preview.
 */
import { AwsContext, arn, s3BucketArn } from "../shared/aws-context";
import {
  allow,
  kmsUse,
  logsWrite,
  PolicyStatement,
  s3ReadKey,
  s3ReadPrefix,
  s3WriteKeys,
} from "../shared/iam";

export const TRAINING_LOG_GROUP = "/aws/sagemaker/TrainingJobs";
export const TRAINING_METRICS_NAMESPACE = "/aws/sagemaker/TrainingJobs";

export interface TrainingRoleScope {
  bucketName: string;
  datasetPrefix: string;
  codePrefix: string;
  modelsPrefix: string;
  checkpointsPrefix: string;
  /** Every job this role runs has a name starting with this (tuning children included). */
  jobNamePrefix: string;
  kmsKeyArn: string;
  /** Account that hosts the training image (the deep-learning-container registry). */
  imageRegistryId: string;
  imageRepository: string;
  /** Object key of the pretrained backbone weights, when jobs load them from the store. */
  pretrainedWeightsKey?: string;
  /** Jobs run in a VPC: SageMaker needs to manage their network interfaces. */
  vpc: boolean;
}

const trim = (p: string) => p.replace(/^\/+|\/+$/g, "");

export function trainingRoleStatements(ctx: AwsContext, s: TrainingRoleScope): PolicyStatement[] {
  const bucketArn = s3BucketArn(ctx, s.bucketName);
  // Job names are `<jobNamePrefix>-...`; the hyphen keeps a longer sibling prefix out.
  const ownJobs = `${s.jobNamePrefix}-`;
  const ownModels = `${trim(s.modelsPrefix)}/${ownJobs}`;
  const ownCheckpoints = `${trim(s.checkpointsPrefix)}/${ownJobs}`;
  const statements: PolicyStatement[] = [
    ...s3ReadPrefix(ctx, s.bucketName, s.datasetPrefix, "Dataset"),
    ...s3ReadPrefix(ctx, s.bucketName, s.codePrefix, "Code"),
    ...(s.pretrainedWeightsKey
      ? s3ReadKey(ctx, s.bucketName, s.pretrainedWeightsKey, "PretrainedWeights")
      : []),
    // Output lands at models/<jobName>/output/model.tar.gz; only this role's jobs' folders.
    allow("ModelsList", ["s3:ListBucket"], [bucketArn], { StringLike: { "s3:prefix": `${ownModels}*` } }),
    ...s3WriteKeys(ctx, s.bucketName, ownModels, "Models"),
    // Spot jobs resume from their checkpoints, so they read them back.
    allow("CheckpointsList", ["s3:ListBucket"], [bucketArn], {
      StringLike: { "s3:prefix": `${ownCheckpoints}*` },
    }),
    allow(
      "CheckpointsReadWrite",
      [
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      [`${bucketArn}/${ownCheckpoints}*`],
    ),
    kmsUse(ctx, s.kmsKeyArn),
    // ECR issues registry tokens account-wide; IAM cannot scope this action to a repository.
    allow("EcrToken", ["ecr:GetAuthorizationToken"], ["*"]),
    allow(
      "PullTrainingImage",
      ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      // The repository lives in the image registry's account, not ours.
      [arn({ ...ctx, accountId: s.imageRegistryId }, "ecr", `repository/${s.imageRepository}`)],
    ),
    ...logsWrite(ctx, [TRAINING_LOG_GROUP], "JobLogs", ownJobs),
    // PutMetricData has no resource-level permissions; the namespace condition keeps it to SageMaker's.
    allow("JobMetrics", ["cloudwatch:PutMetricData"], ["*"], {
      StringEquals: { "cloudwatch:namespace": TRAINING_METRICS_NAMESPACE },
    }),
  ];
  if (s.vpc) {
    // EC2 Describe* actions support no resource-level permissions at all.
    statements.push(
      allow(
        "VpcDescribe",
        [
          "ec2:DescribeDhcpOptions",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcs",
        ],
        ["*"],
      ),
    );
    // The job's subnets and security group have ids only after they exist, so the document
    // cannot name them at preview; it is limited to this account and region instead.
    statements.push(
      allow(
        "VpcNetworkInterfaces",
        [
          "ec2:CreateNetworkInterface",
          "ec2:CreateNetworkInterfacePermission",
          "ec2:DeleteNetworkInterface",
          "ec2:DeleteNetworkInterfacePermission",
        ],
        [
          arn(ctx, "ec2", "network-interface/*"),
          arn(ctx, "ec2", "subnet/*"),
          arn(ctx, "ec2", "security-group/*"),
        ],
      ),
    );
  }
  return statements;
}
