import { CONFIG_DEFAULTS, ConfigError, loadConfig } from "./config";

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig({ ENDPOINT_NAME: "dog-breeds" })).toEqual({
      endpointName: "dog-breeds",
      runtimeUrl: undefined,
      maxImageBytes: 5 * 1024 * 1024,
      fetchTimeoutMs: 5_000,
      endpointTimeoutMs: 10_000,
      topK: 5,
      logLevel: "INFO",
    });
    expect(CONFIG_DEFAULTS.maxImageBytes).toBe(5_242_880);
  });

  it("reads every variable", () => {
    expect(
      loadConfig({
        ENDPOINT_NAME: "dogs-prod-1",
        SAGEMAKER_RUNTIME_URL: "http://127.0.0.1:8080",
        MAX_IMAGE_BYTES: "1048576",
        FETCH_TIMEOUT_MS: "2500",
        ENDPOINT_TIMEOUT_MS: "30000",
        TOP_K: "10",
        LOG_LEVEL: "debug",
      }),
    ).toEqual({
      endpointName: "dogs-prod-1",
      runtimeUrl: "http://127.0.0.1:8080",
      maxImageBytes: 1_048_576,
      fetchTimeoutMs: 2_500,
      endpointTimeoutMs: 30_000,
      topK: 10,
      logLevel: "DEBUG",
    });
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({ ENDPOINT_NAME: "dogs", SAGEMAKER_RUNTIME_URL: "", TOP_K: " " });
    expect(config.runtimeUrl).toBeUndefined();
    expect(config.topK).toBe(5);
  });

  it("names every bad variable in one error", () => {
    const attempt = () =>
      loadConfig({ MAX_IMAGE_BYTES: "5MB", TOP_K: "0", LOG_LEVEL: "loud", SAGEMAKER_RUNTIME_URL: "ftp://x" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      "invalid configuration: ENDPOINT_NAME is required; SAGEMAKER_RUNTIME_URL must be an http or https URL; " +
        "MAX_IMAGE_BYTES must be an integer from 1 to 20971520; TOP_K must be an integer from 1 to 100; " +
        "LOG_LEVEL must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT",
    );
  });

  it.each([
    [{ ENDPOINT_NAME: "has_underscore" }, "ENDPOINT_NAME must be a SageMaker endpoint name"],
    [
      { ENDPOINT_NAME: "dogs", FETCH_TIMEOUT_MS: "99" },
      "FETCH_TIMEOUT_MS must be an integer from 100 to 60000",
    ],
    [
      { ENDPOINT_NAME: "dogs", ENDPOINT_TIMEOUT_MS: "1.5" },
      "ENDPOINT_TIMEOUT_MS must be an integer from 100 to 60000",
    ],
  ])("rejects %j", (env, message) => {
    expect(() => loadConfig(env)).toThrow(`invalid configuration: ${message}`);
  });
});
