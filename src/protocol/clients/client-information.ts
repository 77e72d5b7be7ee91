// The client as it is shown: RFC 7591 §3.2.1 client information response (plus RFC 7592 §3 management fields),
// and the administrator's view, which adds Latchkey's policy. Secrets appear only when just issued.
import { toEpochSeconds } from '../../lib/clock.js';
import type { Client, ClientMetadata } from './client.js';
import { policyToWire, type ClientPolicyWire } from './client-policy.js';
import { usesClientSecret } from './client-secrets.js';

export type ClientInformationResponse = ClientMetadata & {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly client_id_issued_at: number;
  readonly client_secret_expires_at?: number;
  readonly registration_access_token?: string;
  readonly registration_client_uri?: string;
};

export type AdminClientView = ClientInformationResponse & {
  readonly policy: ClientPolicyWire;
  readonly updated_at: number;
  /** While a rotated-out secret still works (epoch seconds). */
  readonly previous_secret_expires_at?: number;
  readonly dynamically_registered: boolean;
};

export interface IssuedCredentials {
  readonly clientSecret?: string;
  readonly registrationAccessToken?: string;
  readonly registrationClientUri?: string;
}

/** @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1 */
export function toClientInformation(client: Client, issued: IssuedCredentials = {}): ClientInformationResponse {
  return {
    client_id: client.clientId,
    ...(issued.clientSecret !== undefined && { client_secret: issued.clientSecret }),
    client_id_issued_at: toEpochSeconds(client.createdAt),
    ...(usesClientSecret(client.metadata.token_endpoint_auth_method) && { client_secret_expires_at: 0 }), // §3.2.1: 0, it does not expire
    ...client.metadata,
    ...(issued.registrationAccessToken !== undefined && { registration_access_token: issued.registrationAccessToken }),
    ...(issued.registrationClientUri !== undefined && { registration_client_uri: issued.registrationClientUri }),
  };
}

export function toAdminClientView(client: Client, now: number, issued: IssuedCredentials = {}): AdminClientView {
  const graceLeft = client.previousSecretHash !== undefined && (client.previousSecretExpiresAt ?? 0) > now;
  return {
    ...toClientInformation(client, issued),
    policy: policyToWire(client.policy),
    updated_at: toEpochSeconds(client.updatedAt),
    ...(graceLeft && { previous_secret_expires_at: toEpochSeconds(client.previousSecretExpiresAt ?? 0) }),
    dynamically_registered: client.registrationAccessTokenHash !== undefined,
  };
}
