/**
 * Every role-taking property of the AWS resources in the pack's scope (@pulumi/aws v7), in one
 * table: SageMaker (notebook, training, tuning, processing-like jobs, models, endpoints, pipelines,
 * Domain and UserProfile settings, ...), Lambda, EC2 instance profiles, Batch, ECS, Step
 * Functions, EventBridge (rules, targets, Scheduler, Pipes), CloudWatch Logs, Application Auto
 * Scaling and IAM. `tests/role-references.test.ts` reads the resources' argument types from the
 * installed @pulumi/aws and fails when a role-like property is neither here nor in
 * NOT_ROLE_REFERENCES. Paths are property names; "[]" walks a list. A property takes a role (name
 * or ARN) or an instance profile (name or ARN), whose roles are then looked up.
 */
export type RoleReferenceKind = "role" | "instanceProfile";

export interface RoleReference {
  readonly path: readonly string[];
  readonly kind: RoleReferenceKind;
}

/** `a.b[].c` -> ["a", "b", "[]", "c"]. */
function parse(spec: string): string[] {
  return spec.split(".").flatMap((p) => (p.endsWith("[]") ? [p.slice(0, -2), "[]"] : [p]));
}

const ROLE = (...specs: string[]): RoleReference[] => specs.map((s) => ({ path: parse(s), kind: "role" }));
const PROFILE = (...specs: string[]): RoleReference[] =>
  specs.map((s) => ({ path: parse(s), kind: "instanceProfile" }));

const SAGEMAKER_USER_SETTINGS = (root: string) =>
  ROLE(
    `${root}.executionRole`,
    `${root}.canvasAppSettings.emrServerlessSettings.executionRoleArn`,
    `${root}.canvasAppSettings.generativeAiSettings.amazonBedrockRoleArn`,
    `${root}.canvasAppSettings.modelRegisterSettings.crossAccountModelRegisterRoleArn`,
    `${root}.canvasAppSettings.timeSeriesForecastingSettings.amazonForecastRoleArn`,
    `${root}.jupyterLabAppSettings.emrSettings.assumableRoleArns[]`,
    `${root}.jupyterLabAppSettings.emrSettings.executionRoleArns[]`,
  );

export const ROLE_REFERENCES: Readonly<Record<string, readonly RoleReference[]>> = {
  // SageMaker
  "aws:sagemaker/algorithm:Algorithm": ROLE("validationSpecification.validationRole"),
  "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": ROLE("roleArn"),
  "aws:sagemaker/deviceFleet:DeviceFleet": ROLE("roleArn"),
  "aws:sagemaker/domain:Domain": [
    ...SAGEMAKER_USER_SETTINGS("defaultUserSettings"),
    ...ROLE(
      "defaultSpaceSettings.executionRole",
      "defaultSpaceSettings.jupyterLabAppSettings.emrSettings.assumableRoleArns[]",
      "defaultSpaceSettings.jupyterLabAppSettings.emrSettings.executionRoleArns[]",
      "domainSettings.rStudioServerProDomainSettings.domainExecutionRoleArn",
    ),
  ],
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ROLE("executionRoleArn"),
  "aws:sagemaker/featureGroup:FeatureGroup": ROLE("roleArn"),
  "aws:sagemaker/flowDefinition:FlowDefinition": ROLE("roleArn"),
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob": ROLE(
    "trainingJobDefinition.roleArn",
    "trainingJobDefinitions[].roleArn",
  ),
  "aws:sagemaker/image:Image": ROLE("roleArn"),
  "aws:sagemaker/labelingJob:LabelingJob": ROLE("roleArn"),
  "aws:sagemaker/mlflowApp:MlflowApp": ROLE("roleArn"),
  "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": ROLE("roleArn"),
  "aws:sagemaker/model:Model": ROLE("executionRoleArn"),
  "aws:sagemaker/monitoringSchedule:MonitoringSchedule": ROLE(
    "monitoringScheduleConfig.monitoringJobDefinition.roleArn",
  ),
  "aws:sagemaker/notebookInstance:NotebookInstance": ROLE("roleArn"),
  "aws:sagemaker/pipeline:Pipeline": ROLE("roleArn"),
  "aws:sagemaker/trainingJob:TrainingJob": ROLE("roleArn"),
  "aws:sagemaker/userProfile:UserProfile": SAGEMAKER_USER_SETTINGS("userSettings"),
  // Lambda
  "aws:lambda/function:Function": ROLE("role"),
  "aws:lambda/capacityProvider:CapacityProvider": ROLE("permissionsConfig.capacityProviderOperatorRoleArn"),
  "aws:lambda/coreNetworkConnector:CoreNetworkConnector": ROLE("operatorRole"),
  "aws:lambda/microvmsImage:MicrovmsImage": ROLE("buildRoleArn"),
  // EC2 (instance profiles and fleets)
  "aws:ec2/instance:Instance": PROFILE("iamInstanceProfile"),
  "aws:ec2/launchConfiguration:LaunchConfiguration": PROFILE("iamInstanceProfile"),
  "aws:ec2/launchTemplate:LaunchTemplate": PROFILE("iamInstanceProfile.arn", "iamInstanceProfile.name"),
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest": PROFILE("iamInstanceProfile"),
  "aws:ec2/spotFleetRequest:SpotFleetRequest": [
    ...ROLE("iamFleetRole"),
    ...PROFILE("launchSpecifications[].iamInstanceProfile", "launchSpecifications[].iamInstanceProfileArn"),
  ],
  "aws:ec2/flowLog:FlowLog": ROLE("iamRoleArn", "deliverCrossAccountRole"),
  // Batch: computeResources.instanceRole is an instance profile (name or ARN), per the AWS Batch API:
  // https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html
  "aws:batch/computeEnvironment:ComputeEnvironment": [
    ...ROLE("serviceRole", "computeResources.spotIamFleetRole"),
    ...PROFILE("computeResources.instanceRole"),
  ],
  // ECS
  "aws:ecs/taskDefinition:TaskDefinition": ROLE("taskRoleArn", "executionRoleArn"),
  "aws:ecs/daemonTaskDefinition:DaemonTaskDefinition": ROLE("taskRoleArn", "executionRoleArn"),
  "aws:ecs/expressGatewayService:ExpressGatewayService": ROLE(
    "taskRoleArn",
    "executionRoleArn",
    "infrastructureRoleArn",
  ),
  "aws:ecs/service:Service": ROLE(
    "iamRole",
    "deploymentConfiguration.lifecycleHooks[].roleArn",
    "loadBalancers[].advancedConfiguration.roleArn",
    "serviceConnectConfiguration.services[].tls.roleArn",
    "volumeConfiguration.managedEbsVolume.roleArn",
    "vpcLatticeConfigurations[].roleArn",
  ),
  "aws:ecs/capacityProvider:CapacityProvider": [
    ...ROLE("managedInstancesProvider.infrastructureRoleArn"),
    ...PROFILE("managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn"),
  ],
  // Step Functions
  "aws:sfn/stateMachine:StateMachine": ROLE("roleArn"),
  // EventBridge and CloudWatch
  "aws:cloudwatch/eventRule:EventRule": ROLE("roleArn"),
  "aws:cloudwatch/eventTarget:EventTarget": ROLE("roleArn"),
  "aws:cloudwatch/eventEndpoint:EventEndpoint": ROLE("roleArn"),
  "aws:cloudwatch/logDestination:LogDestination": ROLE("roleArn"),
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ROLE("roleArn"),
  "aws:cloudwatch/metricStream:MetricStream": ROLE("roleArn"),
  "aws:scheduler/schedule:Schedule": ROLE("target.roleArn"),
  "aws:pipes/pipe:Pipe": ROLE(
    "roleArn",
    "targetParameters.ecsTaskParameters.overrides.taskRoleArn",
    "targetParameters.ecsTaskParameters.overrides.executionRoleArn",
  ),
  // Application Auto Scaling
  "aws:appautoscaling/target:Target": ROLE("roleArn"),
  // IAM: a role's instance profile, policies and attachments
  "aws:iam/instanceProfile:InstanceProfile": ROLE("role"),
  "aws:iam/rolePolicy:RolePolicy": ROLE("role"),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ROLE("role"),
  "aws:iam/policyAttachment:PolicyAttachment": ROLE("roles[]"),
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": ROLE("roleName"),
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": ROLE("roleName"),
};

/** Property paths whose names look role-like but hold no role reference, with the reason. */
export const NOT_ROLE_REFERENCES: Readonly<Record<string, string>> = {
  "aws:iam/role:Role assumeRolePolicy": "the trust policy of the role itself",
  "aws:sagemaker/algorithm:Algorithm validationSpecification.validationProfiles":
    "validation job profiles, not IAM",
  "aws:sagemaker/app:App userProfileName": "a SageMaker user profile name, not IAM",
  "aws:sagemaker/deviceFleet:DeviceFleet enableIotRoleAlias": "a flag",
  "aws:sagemaker/domain:Domain domainSettings.executionRoleIdentityConfig":
    "a setting (USER_PROFILE_NAME or DISABLED)",
  "aws:sagemaker/space:Space ownershipSettings.ownerUserProfileName":
    "a SageMaker user profile name, not IAM",
  "aws:sagemaker/trainingJob:TrainingJob profilerConfig": "the Debugger profiler, not IAM",
  "aws:sagemaker/trainingJob:TrainingJob profilerRuleConfigurations": "the Debugger profiler, not IAM",
  "aws:sagemaker/userProfile:UserProfile userProfileName": "its own name",
  "aws:lambda/codeSigningConfig:CodeSigningConfig allowedPublishers.signingProfileVersionArns":
    "AWS Signer profiles, not IAM",
};
