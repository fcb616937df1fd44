/**
 * A loopback HTTPS server that serves images (and misbehaves) for the image-fetcher tests.
 * Its certificate is self-signed (test-certificate.ts); tests pass `ca` to the fetcher as its
 * trusted CA and resolve `images.test` to 127.0.0.1 with an injected resolver, so nothing
 * leaves the machine.
 *
 *   const images = await startHttpsImageServer({ "/dog.png": { kind: "file", contentType: "image/png", body } });
 *   images.url("/dog.png")  // https://images.test:<port>/dog.png
 */
import { createServer } from "node:https";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_HOSTNAME, testCertificate } from "./test-certificate";

export type ImageRoute =
  /** A complete answer; `contentLength` overrides the header (to lie about the size). */
  | {
      readonly kind: "file";
      readonly contentType: string;
      readonly body: Buffer;
      readonly status?: number;
      readonly contentLength?: number;
    }
  | { readonly kind: "redirect"; readonly location: string; readonly status?: number }
  /** `chunks` copies of `chunk`, chunked transfer encoding, no Content-Length. */
  | { readonly kind: "stream"; readonly contentType: string; readonly chunk: Buffer; readonly chunks: number }
  /** Sends headers, then nothing. */
  | { readonly kind: "stall"; readonly contentType: string }
  /** Never answers. */
  | { readonly kind: "hang" }
  | RequestListener;

export interface StreamRecord {
  readonly path: string;
  bytesSent: number;
  completed: boolean;
  /** The client closed the connection before the whole body was sent. */
  clientClosedEarly: boolean;
}

export interface HttpsImageServer {
  readonly port: number;
  /** PEM certificate to trust (it is self-signed). */
  readonly ca: string;
  /** `https://images.test:<port><path>`. */
  url(path: string): string;
  route(path: string, route: ImageRoute): void;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  readonly streams: StreamRecord[];
  close(): Promise<void>;
}

export async function startHttpsImageServer(
  routes: Record<string, ImageRoute> = {},
): Promise<HttpsImageServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const streams: StreamRecord[] = [];
  const { cert, key } = testCertificate();

  const server = createServer({ cert, key }, (req, res) => {
    const path = req.url ?? "/";
    requests.push(path);
    const route = table.get(path.split("?")[0]!);
    if (!route) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    serve(route, path, req, res, streams);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    ca: cert,
    url: (path) => `https://${TEST_HOSTNAME}:${port}${path}`,
    route: (path, route) => void table.set(path, route),
    requests,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serve(
  route: ImageRoute,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  streams: StreamRecord[],
): void {
  if (typeof route === "function") return route(req, res);
  switch (route.kind) {
    case "file":
      res.writeHead(route.status ?? 200, {
        "content-type": route.contentType,
        "content-length": route.contentLength ?? route.body.length,
      });
      // A Content-Length larger than the body: send what there is and keep the connection open.
      if ((route.contentLength ?? route.body.length) > route.body.length) res.write(route.body);
      else res.end(route.body);
      return;
    case "redirect":
      res.writeHead(route.status ?? 302, { location: route.location }).end();
      return;
    case "stall":
      res.writeHead(200, { "content-type": route.contentType });
      res.flushHeaders();
      return;
    case "hang":
      return;
    case "stream": {
      const record: StreamRecord = { path, bytesSent: 0, completed: false, clientClosedEarly: false };
      streams.push(record);
      res.writeHead(200, { "content-type": route.contentType });
      let sent = 0;
      res.on("close", () => {
        if (!record.completed) record.clientClosedEarly = true;
      });
      const pump = (): void => {
        while (sent < route.chunks) {
          if (res.destroyed) return;
          sent += 1;
          record.bytesSent += route.chunk.length;
          if (!res.write(route.chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        record.completed = true;
        res.end();
      };
      pump();
      return;
    }
  }
}
