// What the resource-server suite needs from an authorization server: a real Latchkey, or a local stand-in that
// signs with jose and serves discovery, JWKS and introspection over loopback HTTP.
import type { JWK } from 'jose';

export interface TokenRequest {
  readonly scope?: readonly string[];
  /** RFC 8707 resource: the token's aud. Default the suite's API. */
  readonly audience?: string;
  /** RFC 9449 §6: bind the token to this JWK thumbprint. */
  readonly jkt?: string;
}

export interface IssuerUnderTest {
  readonly issuer: string;
  /** The API's resource identifier, the default audience of issued tokens. */
  readonly audience: string;
  /** The API's own credentials at the issuer, for RFC 7662 introspection. */
  readonly introspection: { readonly clientId: string; readonly clientSecret: string };
  jwt(request?: TokenRequest): Promise<string>;
  opaque(request?: TokenRequest): Promise<string>;
  /** RFC 7009 */
  revoke(token: string): Promise<void>;
  /** A well-formed access token signed with the issuer's current key but naming another `iss`. */
  foreignIssuerJwt(): Promise<string>;
  /** The issuer's current public signing key (the HS256 key-confusion attack uses it as an HMAC secret). */
  signingJwk(): Promise<JWK>;
  /** A new signing key, used for the next tokens and published at once. */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}
