// When a refresh token is issued: RFC 6749 §1.5 and §6, OIDC Core §11 (offline_access).
import type { Client } from '../clients/client.js';

/**
 * Whether an issuance under a user's grant comes with a refresh token: the client must be registered for the
 * refresh_token grant, and either the scope includes offline_access (OIDC Core §11) or its policy always asks
 * for one. Never for client_credentials (RFC 6749 §4.4.3), which has no grant to refresh.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess
 */
export function shouldIssueRefreshToken(client: Client, scope: readonly string[]): boolean {
  if (!client.metadata.grant_types.includes('refresh_token')) return false;
  return scope.includes('offline_access') || client.policy.alwaysIssueRefreshToken === true;
}
