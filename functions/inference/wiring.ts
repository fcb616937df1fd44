/**
 * The function's collaborators wired from the environment, once per container: configuration,
 * the SageMaker runtime client, the logger. `index.ts` (the deployed entry point) passes the
 * production image fetcher; the only other caller is local mode's test-only entry
 * (`local/loopback-function.ts`), which passes a fetcher that also admits loopback. A
 * misconfigured container answers every request with a 500 instead of crashing on import.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { loadConfig } from "./config";
import { createRuntimeClient } from "./endpoint";
import type { ImageFetcher } from "./fetch-image";
import { createHandler } from "./handler";
import type { InferenceHandler } from "./handler";
import { serverErrorResponse } from "./response";

const SERVICE_NAME = "inference";

export function createHandlerFromEnvironment(
  env: NodeJS.ProcessEnv,
  fetchImage: ImageFetcher,
): InferenceHandler {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  try {
    const config = loadConfig(env);
    logger.setLogLevel(config.logLevel);
    return createHandler({ config, client: createRuntimeClient(config), logger, fetchImage });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.critical("the function is misconfigured", { reason });
    return async (_event, context) =>
      serverErrorResponse(500, "the function is misconfigured", context?.awsRequestId ?? randomUUID());
  }
}
