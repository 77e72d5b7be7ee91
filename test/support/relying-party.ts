// A stand-in client application on loopback: its /callback receives the authorization response (query, fragment via a
// served script-free page, or form_post) so a real browser can finish the flow somewhere real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  readonly method: string;
  /** The full callback URL as received (query included); for form_post the body is folded into the query. */
  readonly url: string;
  readonly params: URLSearchParams;
}

export interface RelyingParty {
  readonly origin: string;
  readonly redirectUri: string;
  readonly callbacks: ReceivedCallback[];
  close(): Promise<void>;
}

export async function startRelyingParty(): Promise<RelyingParty> {
  const callbacks: ReceivedCallback[] = [];
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = new URLSearchParams(request.method === 'POST' ? Buffer.concat(chunks).toString('utf8') : url.search);
      const received = new URL(`${origin}/callback`);
      received.search = params.toString();
      callbacks.push({ method: request.method ?? 'GET', url: received.href, params });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Client</title><h1>Back at the client</h1></html>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    redirectUri: `${origin}/callback`,
    callbacks,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
