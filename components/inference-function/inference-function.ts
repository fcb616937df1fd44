import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lambdaFunctionArn } from "../shared/aws-context";
import { allow, logStreamsWrite, PolicyStatement } from "../shared/iam";
import { dependOnCollaborators } from "../shared/dependencies";
import { serviceRole } from "../shared/service-role";
import { componentTags } from "../shared/tags";
import { FunctionBundle, InferenceFunctionArgs, resolveFunctionArgs } from "./args";

/** Lambda settings that are not choices: the handler is built for them. */
export const FUNCTION_RUNTIME = {
  runtime: "nodejs22.x",
  architectures: ["arm64"],
  handler: "index.handler",
} as const;

/**
 * Where the npm package ships the inference handler, bundled when the package was built
 * (scripts/build-package.mjs): `functions/inference/index.js` of the package, beside `bundle.json`
 * (`{ sha256, bytes, sourceMap }`), two folders up from this file. In this repository that folder
 * holds the handler's TypeScript sources and no `bundle.json`: there the handler is bundled with
 * esbuild (functions/bundle.ts) when a program first needs it. Consumers of the package need no
 * esbuild and no handler sources.
 */
export const PREBUILT_HANDLER_DIR = path.join(__dirname, "..", "..", "functions", "inference");

interface Handler {
  /** Whether the bundle ships a source map (then stack traces need `--enable-source-maps`). */
  sourceMap: boolean;
  /** The bundle (built on first call in this repository; a program passing its own never bundles). */
  bundle: () => FunctionBundle;
}

let handler: Handler | undefined;
/** The package's prebuilt handler (checked against its recorded sha256), else the repository's bundler. */
function inferenceHandler(): Handler {
  if (handler) return handler;
  const manifestFile = path.join(PREBUILT_HANDLER_DIR, "bundle.json");
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as {
      sha256: string;
      sourceMap: boolean;
    };
    const file = path.join(PREBUILT_HANDLER_DIR, "index.js");
    const bytes = fs.readFileSync(file);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== manifest.sha256)
      throw new Error(
        `InferenceFunction: ${file} is not the handler the package was built with ` +
          `(sha256 ${sha256.slice(0, 12)}, ${manifestFile} says ${String(manifest.sha256).slice(0, 12)}); reinstall the package`,
      );
    const bundle: FunctionBundle = { code: bytes.toString("utf8"), sha256, bytes: bytes.byteLength };
    handler = { sourceMap: manifest.sourceMap, bundle: () => bundle };
    return handler;
  }
  let functions: typeof import("../../functions");
  try {
    functions = require("../../functions") as typeof import("../../functions");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code !== "MODULE_NOT_FOUND" || !e.message.includes("'../../functions'")) throw err;
    throw new Error(
      `InferenceFunction: no prebuilt handler (${manifestFile}) and no handler sources to bundle it from: ` +
        "reinstall the package, or pass args.bundle",
    );
  }
  let bundle: FunctionBundle | undefined;
  handler = {
    sourceMap: Boolean(functions.BUNDLE_OPTIONS.sourcemap),
    // One program run bundles the handler once, however many functions use it.
    bundle: () => (bundle ??= functions.bundleFunction(functions.inferenceFunctionEntry)),
  };
  return handler;
}

/** The deployment package: the bundle as `index.js`, built in memory (no file under dist/ needed). */
export function functionCode(bundle: FunctionBundle): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) });
}

/**
 * The inference Lambda (Node.js 22, arm64): bundled at deploy time from functions/inference,
 * published, with an alias (`live`) that callers, provisioned concurrency and the optional
 * IAM-authenticated function URL use. Its role may invoke exactly one endpoint and write its own
 * log group, which the component creates with a retention.
 */
export class InferenceFunction extends pulumi.ComponentResource {
  readonly functionName: string;
  readonly aliasName: string;
  /** Unqualified function ARN, assembled from known parts. */
  readonly functionArn: pulumi.Output<string>;
  /** ARN of the alias: what callers should invoke. */
  readonly aliasArn: pulumi.Output<string>;
  /** The function URL of the alias, when `functionUrl` is on. */
  readonly functionUrl?: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly logGroupName: string;
  /** SHA-256 of the deployed bundle (hex), for tracing a deployment back to its sources. */
  readonly codeSha256: string;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly function: aws.lambda.Function;
  readonly alias: aws.lambda.Alias;
  readonly provisionedConcurrency?: aws.lambda.ProvisionedConcurrencyConfig;
  readonly url?: aws.lambda.FunctionUrl;

  constructor(name: string, args: InferenceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything, so a bad call leaves nothing half-declared.
    const a = resolveFunctionArgs(name, args);
    // The role and the environment name the endpoint: it comes first.
    super("ml-platform:serving:InferenceFunction", name, {}, dependOnCollaborators(opts, args.endpoint));
    const tags = componentTags(args.tags, "inference-function");
    const ctx = pulumi.output(args.context);
    const child = { parent: this };
    const inference = inferenceHandler();
    const bundle = args.bundle ?? inference.bundle();
    this.functionName = a.functionName;
    this.aliasName = a.aliasName;
    this.codeSha256 = bundle.sha256;
    this.logGroupName = `/aws/lambda/${a.functionName}`;
    this.functionArn = ctx.apply((c) => lambdaFunctionArn(c, a.functionName));
    this.aliasArn = ctx.apply((c) => lambdaFunctionArn(c, a.functionName, a.aliasName));

    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: this.logGroupName, retentionInDays: a.logRetentionDays, tags },
      child,
    );

    const { role, policy, arn } = serviceRole(
      name,
      {
        roleName: a.roleName,
        service: "lambda",
        description: `Role of Lambda function ${a.functionName}: invoke endpoint ${args.endpoint.endpointName}, write its logs`,
        context: ctx,
        statements: pulumi
          .all([ctx, args.endpoint.invokePolicyStatement()])
          .apply(([c, invoke]) => [invoke, ...logStreamsWrite(c, [this.logGroupName], "WriteOwnLogs")]),
        tags,
        // The policy names the log group by its ARN.
        policyDependsOn: [this.logGroup],
      },
      this,
    );
    this.role = role;
    this.roleArn = arn;

    this.function = new aws.lambda.Function(
      name,
      {
        name: a.functionName,
        description: `Classifies an image with SageMaker endpoint ${args.endpoint.endpointName} (bundle sha256 ${bundle.sha256.slice(0, 12)})`,
        ...FUNCTION_RUNTIME,
        architectures: [...FUNCTION_RUNTIME.architectures],
        code: functionCode(bundle),
        // The assembled ARN keeps the input known at preview; dependsOn orders it after the role.
        role: this.roleArn,
        memorySize: a.memorySizeMb,
        timeout: a.timeoutSeconds,
        reservedConcurrentExecutions: a.reservedConcurrency,
        publish: true,
        environment: {
          variables: {
            ENDPOINT_NAME: args.endpoint.endpointName,
            MAX_IMAGE_BYTES: String(a.maxImageBytes),
            FETCH_TIMEOUT_MS: String(a.fetchTimeoutMs),
            ENDPOINT_TIMEOUT_MS: String(a.endpointTimeoutMs),
            TOP_K: String(a.topK),
            // Stack traces map to the TypeScript sources only when the bundle ships a source map.
            ...(inference.sourceMap ? { NODE_OPTIONS: "--enable-source-maps" } : {}),
          },
        },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: this.logGroupName,
          applicationLogLevel: "INFO",
          // INFO keeps the platform's REPORT lines (billed and init duration) for cost reviews.
          systemLogLevel: "INFO",
        },
        tags,
      },
      { parent: this, dependsOn: [this.role, policy, this.logGroup] },
    );

    this.alias = new aws.lambda.Alias(
      `${name}-alias`,
      {
        name: a.aliasName,
        description: "The published version callers use",
        functionName: a.functionName,
        functionVersion: this.function.version,
      },
      { parent: this, dependsOn: [this.function] },
    );

    if (a.provisionedConcurrency > 0) {
      // On the alias, never on $LATEST (which cannot have it) or a bare version callers don't use.
      this.provisionedConcurrency = new aws.lambda.ProvisionedConcurrencyConfig(
        `${name}-provisioned`,
        {
          functionName: a.functionName,
          qualifier: a.aliasName,
          provisionedConcurrentExecutions: a.provisionedConcurrency,
        },
        { parent: this, dependsOn: [this.alias] },
      );
    }

    if (a.functionUrl) {
      this.url = new aws.lambda.FunctionUrl(
        `${name}-url`,
        { functionName: a.functionName, qualifier: a.aliasName, authorizationType: "AWS_IAM" },
        { parent: this, dependsOn: [this.alias] },
      );
      this.functionUrl = this.url.functionUrl;
    }

    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      aliasArn: this.aliasArn,
      functionUrl: this.functionUrl,
      roleArn: this.roleArn,
    });
  }

  /** `lambda:InvokeFunction` on the alias: grant it to callers that use the Lambda API. */
  invokePolicyStatement(): pulumi.Output<PolicyStatement> {
    return this.aliasArn.apply((arn) => allow("InvokeInferenceFunction", ["lambda:InvokeFunction"], [arn]));
  }

  /** `lambda:InvokeFunctionUrl` on the alias, IAM-authenticated URL only: grant it to URL callers. */
  invokeUrlPolicyStatement(): pulumi.Output<PolicyStatement> {
    return this.aliasArn.apply((arn) =>
      allow("InvokeInferenceFunctionUrl", ["lambda:InvokeFunctionUrl"], [arn], {
        StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" },
      }),
    );
  }
}
