/**
 * Lambda entry point (`index.handler` in the bundle). Configuration, the SageMaker runtime
 * client, the logger and the image fetcher are created once per container, at module load
 * (wiring.ts); the fetcher is the production one, whose URL guard admits public addresses only.
 */
import { createImageFetcher } from "./fetch-image";
import type { InferenceHandler } from "./handler";
import { createHandlerFromEnvironment } from "./wiring";

export const handler: InferenceHandler = createHandlerFromEnvironment(process.env, createImageFetcher());
