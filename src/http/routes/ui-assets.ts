// The static files of the pages: one stylesheet and one script, served by Latchkey so the CSP can allow 'self' only.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface UiAsset {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

export function uiAssetRoutes(app: FastifyInstance, assets: readonly UiAsset[]): void {
  for (const asset of assets) {
    const etag = `"${createHash('sha256').update(asset.body).digest('base64url').slice(0, 16)}"`;
    app.get(asset.path, (request, reply) => {
      reply.header('etag', etag).header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(asset.contentType).send(asset.body);
    });
  }
}
