/**
 * TEST ONLY, never deployed: the inference function with an image fetcher whose URL guard
 * also admits loopback addresses and trusts the CA in LOCAL_TEST_CA_FILE, so local mode's
 * tests can serve `--url` images from a self-signed HTTPS server on 127.0.0.1. Everything
 * else (configuration, client, handler, bundling) is the deployed function's; the deployed
 * entry point, functions/inference/index.ts, has no such switch.
 */
import { readFileSync } from "node:fs";
import type { AddressPolicy } from "../functions/inference/address-guard";
import { createImageFetcher } from "../functions/inference/fetch-image";
import type { InferenceHandler } from "../functions/inference/handler";
import { createHandlerFromEnvironment } from "../functions/inference/wiring";

const publicOrLoopback: AddressPolicy = (address) => address.kind === "public" || address.kind === "loopback";
const caFile = process.env.LOCAL_TEST_CA_FILE;

export const handler: InferenceHandler = createHandlerFromEnvironment(
  process.env,
  createImageFetcher({
    addressPolicy: publicOrLoopback,
    trustedCa: caFile ? readFileSync(caFile) : undefined,
  }),
);
