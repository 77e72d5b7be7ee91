// latchkey/resource: protect an API with Latchkey's tokens. RFC 6750 (Bearer), RFC 9068 (JWT access tokens),
// RFC 7662 (introspection), RFC 9449 §7 (DPoP), RFC 9728 (protected resource metadata).
export { createAccessTokenVerifier, DEFAULT_ALGORITHMS, type AccessTokenVerifier, type AccessTokenVerifierOptions } from './create-access-token-verifier.js';
export type { Principal, Requirements } from './principal.js';
export type { HeaderSource, ResourceRequest } from './request-credentials.js';
export { formatChallenge, ResourceError, type AuthScheme, type ChallengeParams, type ResourceErrorCode } from './resource-error.js';
export {
  buildProtectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataResponse,
  protectedResourceMetadataUrl,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from './protected-resource-metadata.js';
export { accessTokenHash } from './verify-dpop-proof.js';
export type { IntrospectionClient } from './introspect-access-token.js';
export type { UrlOptions } from './node-request.js';
export { fastifyAuthenticator, fastifyResource, type FastifyResourceOptions } from './fastify.js';
export { expressAuthenticator, expressProtectedResourceMetadata } from './express.js';
export { honoAuthenticator, resourceErrorResponse, webAuthenticator, type HonoContextLike } from './web.js';
