/**
 * An error the handler answers with a specific status code. Its message is shown to the caller,
 * so it must never carry internals; `detail` goes to the logs only.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly statusCode: number,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
  }
}
