/**
 * A small HTTP load balancer for the scaled fault run: each request goes to the next API
 * process in turn. An API that refuses the connection (killed, restarting) is skipped and the
 * request goes to the next one — nothing was sent, so that is safe for any method. An API that
 * dies while it holds a request is answered as a load balancer would: 503 with `Retry-After`,
 * since the request may or may not have been carried out.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  readonly url: string;
  /** Requests sent on to each upstream port, and those answered 503 by the proxy itself. */
  readonly counts: { readonly byPort: Map<number, number>; cutOff: number };
  close(): Promise<void>;
}

const RETRY_AFTER_S = 1;

export async function roundRobin(ports: readonly number[]): Promise<RoundRobin> {
  let next = 0;
  const counts = { byPort: new Map<number, number>(), cutOff: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const tryUpstream = (tries: number): void => {
        const port = ports[next++ % ports.length]!;
        const upstream = request(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            counts.byPort.set(port, (counts.byPort.get(port) ?? 0) + 1);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => res.destroy());
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (res.headersSent) return void res.destroy();
          if (error.code === 'ECONNREFUSED' && tries < ports.length * 2) {
            tryUpstream(tries + 1);
            return;
          }
          counts.cutOff += 1;
          res.writeHead(503, {
            'content-type': 'application/problem+json',
            'retry-after': String(RETRY_AFTER_S),
          });
          res.end(
            JSON.stringify({
              type: 'urn:praxisflow:problem:unavailable',
              title: 'Service Unavailable',
              status: 503,
              detail: `The API process went away while it held the request (${error.code ?? error.message})`,
            }),
          );
        });
        upstream.end(body);
      };
      tryUpstream(1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
