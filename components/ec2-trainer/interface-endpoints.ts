/**
 * The interface endpoints the EC2 trainer calls from its private subnet. The user data talks to
 * S3 only (dataset, bundle, weights, model), through the free gateway endpoint; EBS and S3 call
 * KMS themselves. With Session Manager on, the SSM Agent registers the instance (`ssm`:
 * UpdateInstanceInformation) and opens session channels (`ssmmessages`), the two things the
 * instance role allows (https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html).
 * `ec2messages` is the agent's older message channel for Run Command, used only when it cannot
 * reach `ssmmessages` (same page); the role grants no ec2messages action, so it is not a need.
 */
import { InterfaceEndpointNeed } from "../shared/interface-endpoints";

const SSM_MESSAGE_APIS =
  "https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-setting-up-messageAPIs.html";

export function ec2TrainerInterfaceEndpointNeeds(a: { sessionManager?: boolean }): InterfaceEndpointNeed[] {
  if (a.sessionManager === false) return [];
  return [
    {
      service: "ssm",
      neededBy: "ec2Trainer (Session Manager)",
      breaksWithout: "the SSM Agent cannot register the instance, so Session Manager cannot reach it",
      source: SSM_MESSAGE_APIS,
    },
    {
      service: "ssmmessages",
      neededBy: "ec2Trainer (Session Manager)",
      breaksWithout: "Session Manager cannot open a session channel to the instance",
      source: SSM_MESSAGE_APIS,
    },
  ];
}
