// Client registration and management (RFC 7591 §3, RFC 7592 §2): the one implementation behind the admin CLI,
// the admin API and dynamic registration, which are thin entry points over it.
import type { Config } from '../../config/config.js';
import { hashSecret } from '../../lib/hash.js';
import { outboundPolicy } from '../client-authentication/client-jwks.js';
import { toAuditRecord, type AuditContext, type AuditEventInput } from '../audit/audit-event.js';
import type { ProtocolDeps } from '../deps.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { Client, ClientPolicy } from './client.js';
import { DEFAULT_CLIENT_POLICY, validateClientPolicy } from './client-policy.js';
import { issueClientSecret, rotateClientSecret, usesClientSecret, withoutSecret } from './client-secrets.js';
import { validateClientMetadata, type MetadataValidationOptions } from './validate-client-metadata.js';

export type ClientRegistryDeps = Pick<ProtocolDeps, 'config' | 'storage' | 'clock' | 'random' | 'masterKey'>;

/** A client as just written, with the credentials that are shown this once (never stored in clear). */
export interface ClientChange {
  readonly client: Client;
  readonly clientSecret?: string;
  readonly registrationAccessToken?: string;
}

export interface ClientInput {
  /** RFC 7591 §2 metadata in wire names, unvalidated. */
  readonly metadata: unknown;
  /** Latchkey policy in wire names (admin only); absent: defaults on create, unchanged on update. */
  readonly policy?: unknown;
}

export interface RegistryOptions {
  /** RFC 7591 dynamic registration: the policy is always the default and a registration access token is issued. */
  readonly dynamic?: boolean;
  /** Who asks and from where, for the audit log (issue 9 item 8). */
  readonly context?: AuditContext;
}

const contextOf = (options: RegistryOptions): AuditContext => options.context ?? { actor: options.dynamic === true ? 'registration' : 'system' };

/** Writes the change and its audit event in one transaction: no change without its record, no record without its change. */
async function withAudit<T>(deps: Pick<ClientRegistryDeps, 'storage' | 'clock' | 'random'>, context: AuditContext, event: AuditEventInput, write: (storage: ClientRegistryDeps['storage']) => Promise<T>): Promise<T> {
  return deps.storage.transaction(async (tx) => {
    const result = await write(tx);
    await tx.audit.record(toAuditRecord(event, context, deps));
    return result;
  });
}

const describeClient = (client: Client): AuditEventInput['details'] => ({
  auth_method: client.metadata.token_endpoint_auth_method,
  grant_types: client.metadata.grant_types.join(' '),
  redirect_uris: client.metadata.redirect_uris.length,
});

export const clientNotFound = (): OAuthError => new OAuthError('not_found', 'no such client');

export function metadataValidationOptions(config: Config, policy: ClientPolicy): MetadataValidationOptions {
  return {
    allowedLegacyGrants: policy.allowedLegacyGrants,
    allowLoopbackJwksUri: config.clients.allowLoopbackJwksUri,
    idTokenSigningAlgs: [...new Set([config.keys.idTokenAlg, 'RS256'])], // what discovery advertises
    outbound: outboundPolicy(config),
  };
}

/**
 * Validates and stores a new client. Nothing is stored when validation fails.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2
 */
export async function createClient(input: ClientInput, deps: ClientRegistryDeps, options: RegistryOptions = {}): Promise<ClientChange> {
  const policy = options.dynamic === true ? DEFAULT_CLIENT_POLICY : validateClientPolicy(input.policy);
  const metadata = validateClientMetadata(input.metadata, metadataValidationOptions(deps.config, policy));
  const clientId = deps.random.token(16); // 128 bits: unguessable, so ids reveal nothing about other clients
  const now = deps.clock.now();
  const secret = usesClientSecret(metadata.token_endpoint_auth_method) ? issueClientSecret(clientId, metadata.token_endpoint_auth_method, deps.random, deps.masterKey) : undefined;
  const registrationAccessToken = options.dynamic === true ? deps.random.token(32) : undefined;
  const client: Client = {
    clientId,
    metadata,
    policy,
    ...secret?.fields,
    ...(registrationAccessToken !== undefined && { registrationAccessTokenHash: hashSecret(registrationAccessToken) }),
    createdAt: now,
    updatedAt: now,
  };
  await withAudit(deps, contextOf(options), { type: 'client.created', clientId, details: { ...describeClient(client), dynamic: options.dynamic === true } }, async (storage) => {
    if (!(await storage.clients.create(client))) throw new Error('client_id collision'); // 128 random bits: never expected
  });
  return {
    client,
    ...(secret !== undefined && { clientSecret: secret.secret }),
    ...(registrationAccessToken !== undefined && { registrationAccessToken }),
  };
}

/**
 * Replaces a client's metadata (RFC 7592 §2.2: omitted fields are cleared). A change of authentication method
 * that needs a secret the client lacks (or a sealed one for client_secret_jwt) issues a new secret.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export async function updateClient(clientId: string, input: ClientInput, deps: ClientRegistryDeps, options: RegistryOptions = {}): Promise<ClientChange> {
  const existing = await getClient(clientId, deps);
  const policy = options.dynamic === true || input.policy === undefined ? existing.policy : validateClientPolicy(input.policy);
  const metadata = validateClientMetadata(input.metadata, metadataValidationOptions(deps.config, policy));
  const method = metadata.token_endpoint_auth_method;
  const now = deps.clock.now();

  let credentials: Client = withoutSecret(existing);
  let clientSecret: string | undefined;
  if (usesClientSecret(method)) {
    const canKeep = existing.secretHash !== undefined && (method !== 'client_secret_jwt' || existing.sealedSecret !== undefined);
    if (canKeep) {
      const keepSealed = method === 'client_secret_jwt';
      credentials = {
        ...existing,
        ...(!keepSealed && { sealedSecret: undefined, previousSealedSecret: undefined }),
      };
    } else {
      const issued = issueClientSecret(existing.clientId, method, deps.random, deps.masterKey);
      credentials = { ...credentials, ...issued.fields };
      clientSecret = issued.secret;
    }
  }
  const client: Client = dropUndefined({ ...credentials, metadata, policy, updatedAt: now });
  await withAudit(deps, contextOf(options), { type: 'client.updated', clientId, details: { ...describeClient(client), new_secret: clientSecret !== undefined } }, async (storage) => {
    if (!(await storage.clients.update(client))) throw clientNotFound();
  });
  return { client, ...(clientSecret !== undefined && { clientSecret }) };
}

/** @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3 */
export async function deleteClient(clientId: string, deps: Pick<ClientRegistryDeps, 'storage' | 'clock' | 'random'>, options: RegistryOptions = {}): Promise<void> {
  await withAudit(deps, contextOf(options), { type: 'client.deleted', clientId }, async (storage) => {
    if (!(await storage.clients.delete(clientId))) throw clientNotFound();
  });
}

export async function getClient(clientId: string, deps: Pick<ClientRegistryDeps, 'storage'>): Promise<Client> {
  const client = await deps.storage.clients.find(clientId);
  if (client === undefined) throw clientNotFound();
  return client;
}

/** A list cursor is input like any other (Hydra GHSA-r9w3-57w2-gch2): a client_id shape or nothing, never trusted. */
const CURSOR = /^[\x21-\x7e]{1,255}$/;

export async function listClients(options: { after?: string; limit?: number }, deps: Pick<ClientRegistryDeps, 'storage'>): Promise<Client[]> {
  if (options.after !== undefined && !CURSOR.test(options.after)) throw invalidRequest('after must be a client_id from a previous page (next_after)');
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000)) throw invalidRequest('limit must be a whole number from 1 to 1000');
  return deps.storage.clients.list({ ...(options.after !== undefined && { afterClientId: options.after }), limit: options.limit ?? 100 });
}

/** Issues a new secret; the old one keeps working for `graceSeconds` (default: the configured grace). */
export async function rotateSecret(clientId: string, options: { graceSeconds?: number; context?: AuditContext }, deps: ClientRegistryDeps): Promise<ClientChange> {
  const existing = await getClient(clientId, deps);
  const { client, secret } = rotateClientSecret(existing, {
    random: deps.random,
    masterKey: deps.masterKey,
    now: deps.clock.now(),
    graceSeconds: options.graceSeconds ?? deps.config.clients.secretRotationGraceSeconds,
  });
  const graceSeconds = options.graceSeconds ?? deps.config.clients.secretRotationGraceSeconds;
  await withAudit(deps, options.context ?? { actor: 'system' }, { type: 'client.secret_rotated', clientId, details: { grace_seconds: graceSeconds } }, async (storage) => {
    if (!(await storage.clients.update(client))) throw clientNotFound();
  });
  return { client, clientSecret: secret };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A client document (admin API body, `--from-file`): RFC 7591 metadata with Latchkey's policy in a `policy` member. */
export function splitClientDocument(document: unknown): ClientInput {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { metadata: document };
  const { policy, ...metadata } = document as Record<string, unknown>;
  return { metadata, ...(policy !== undefined && { policy }) };
}
