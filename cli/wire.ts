/**
 * The wire markers of Pulumi's RPC protocol (unknown values, secrets, resource references, output
 * values), read from the SDK that defines them (@pulumi/pulumi/runtime/rpc), never restated.
 * Loaded on first use: the plan starts its policy packs before it loads the SDK.
 */
type Rpc = typeof import("@pulumi/pulumi/runtime/rpc");
let rpc: Rpc | undefined;
const sdk = (): Rpc => (rpc ??= require("@pulumi/pulumi/runtime/rpc") as Rpc);

export const WIRE = {
  /** A value unknown during preview (`rpc.unknownValue`). */
  get unknown(): string {
    return sdk().unknownValue;
  },
  /** The key that marks a special object (`rpc.specialSigKey`). */
  get sigKey(): string {
    return sdk().specialSigKey;
  },
  get secretSig(): string {
    return sdk().specialSecretSig;
  },
  get resourceSig(): string {
    return sdk().specialResourceSig;
  },
  get outputSig(): string {
    return sdk().specialOutputValueSig;
  },
  get assetSig(): string {
    return sdk().specialAssetSig;
  },
  get archiveSig(): string {
    return sdk().specialArchiveSig;
  },
};
