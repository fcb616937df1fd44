/**
 * Dummy AWS settings for tests and benchmarks: static credentials and a region in the
 * environment, so the real SDK client signs requests with them and never looks further
 * (no shared config files, no instance metadata service).
 */
export const TEST_AWS_ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
  AWS_SECRET_ACCESS_KEY: "local-test-secret",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
};

export function useTestAwsEnvironment(): void {
  for (const name of [
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  ]) {
    delete process.env[name];
  }
  Object.assign(process.env, TEST_AWS_ENVIRONMENT);
}
