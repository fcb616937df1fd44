/** Whether AWS credentials are explicitly present; the live source is used only then. */

/** Names the environment variable that makes credentials explicit, or undefined when there is none. */
export function explicitCredentials(env: NodeJS.ProcessEnv): string | undefined {
  const keys = [
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  ];
  return keys.find((k) => (env[k] ?? "") !== "");
}
