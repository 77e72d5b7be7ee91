// A client's back-channel logout endpoint on loopback (OIDC Back-Channel Logout 1.0 §2.5): records each logout_token
// POSTed to it; it can be started on a port chosen beforehand, to be "down at first".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BackchannelReceiver {
  readonly uri: string;
  readonly tokens: string[];
  /** Resolves with the `count`-th token received (waiting for it). */
  nextToken(count?: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startBackchannelReceiver(port = 0): Promise<BackchannelReceiver> {
  const tokens: string[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('logout_token');
      if (request.method !== 'POST' || request.url !== '/backchannel' || token === null) {
        response.writeHead(400).end();
        return;
      }
      tokens.push(token);
      response.writeHead(200, { 'cache-control': 'no-store' }).end();
      for (const waiter of [...waiters]) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`;
  return {
    uri,
    tokens,
    nextToken(count = tokens.length + 1, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const token = tokens[count - 1];
          if (token === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(token);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no logout token #${count} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
