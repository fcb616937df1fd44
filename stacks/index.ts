/**
 * Pulumi entry point (Pulumi.yaml `main`). Validates the stack config before declaring anything,
 * looks up the AWS context, and composes the platform. Outputs are the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, configFromPulumi } from "./config";
import { createPlatform, PlatformOutputs } from "./platform";
import { DataCheckError } from "./training-runs";
import { lookupAwsContext } from "../components/shared/aws-context";

export = async (): Promise<PlatformOutputs> => {
  let config;
  try {
    config = configFromPulumi(pulumi.runtime.allConfig());
  } catch (err) {
    // RunError: Pulumi prints the message without a stack trace.
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  const context = await lookupAwsContext();
  try {
    return await createPlatform(config, { project: pulumi.getProject(), stack: pulumi.getStack() }, context);
  } catch (err) {
    // A component's argument error, reported under the config key it came from (stacks/config-keys.ts),
    // or an S3 listing that could not tell what is in the artifact store.
    if (err instanceof ConfigError || err instanceof DataCheckError) throw new pulumi.RunError(err.message);
    throw err;
  }
};
