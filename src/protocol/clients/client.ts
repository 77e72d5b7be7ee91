// The registered client as the protocol sees it. The record types live with the storage ports.
import type { Client } from '../../storage/records/client.js';

export type { AccessTokenFormat, Client, ClientMetadata, ClientPolicy, TokenEndpointAuthMethod, TokenExchangePolicy } from '../../storage/records/client.js';

/** RFC 6749 §2.1: a public client cannot hold credentials. */
export const isPublicClient = (client: Pick<Client, 'metadata'>): boolean => client.metadata.token_endpoint_auth_method === 'none';
