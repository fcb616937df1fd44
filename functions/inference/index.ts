/**
 * Lambda entry point (`index.handler` in the bundle). Configuration, the SageMaker runtime
 * client, the logger and the image fetcher are created once per container, at module load;
 * a misconfigured container answers every request with a 500 instead of crashing on import.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { loadConfig } from "./config";
import { createRuntimeClient } from "./endpoint";
import { createImageFetcher } from "./fetch-image";
import { createHandler } from "./handler";
import type { InferenceHandler } from "./handler";
import { serverErrorResponse } from "./response";

const SERVICE_NAME = "inference";

function createProductionHandler(): InferenceHandler {
  const logger = new Logger({ serviceName: SERVICE_NAME });
  try {
    const config = loadConfig(process.env);
    logger.setLogLevel(config.logLevel);
    return createHandler({
      config,
      client: createRuntimeClient(config),
      logger,
      fetchImage: createImageFetcher(),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.critical("the function is misconfigured", { reason });
    return async (_event, context) =>
      serverErrorResponse(500, "the function is misconfigured", context?.awsRequestId ?? randomUUID());
  }
}

export const handler: InferenceHandler = createProductionHandler();
