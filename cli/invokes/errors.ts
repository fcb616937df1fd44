/**
 * An invoke the provider would answer with an error (a bad argument, a role that does not exist):
 * the program's invoke rejects, as in a real `pulumi preview`, and the plan stops with exit 2.
 *
 * The SDK turns a failed invoke RPC into `new Error(err.details)` (runtime/invoke.js), so the text
 * travels in `details` as the engine's gRPC status would carry it.
 */
export class InvokeError extends Error {
  readonly details: string;

  constructor(token: string, problems: string | string[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    // The bridge's shape: "invoking <token>: N error(s) occurred:\n\t* <problem>".
    const message =
      `invoking ${token}: ${list.length} error${list.length === 1 ? "" : "s"} occurred:` +
      list.map((p) => `\n\t* ${p}`).join("");
    super(message);
    this.name = "InvokeError";
    this.details = message;
  }
}
