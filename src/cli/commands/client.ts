// `latchkey client create|list|show|update|delete|rotate-secret`: the client registry from the command line.
import { readFileSync } from 'node:fs';
import { systemClock } from '../../lib/clock.js';
import { systemRandom } from '../../lib/random.js';
import type { Client } from '../../protocol/clients/client.js';
import { toAdminClientView } from '../../protocol/clients/client-information.js';
import { policyToWire } from '../../protocol/clients/client-policy.js';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateSecret,
  splitClientDocument,
  updateClient,
  type ClientChange,
  type ClientRegistryDeps,
} from '../../protocol/clients/client-registry.js';
import { cliContext } from '../actor.js';
import { withContext } from '../context.js';
import { UsageError, type CliIo } from '../io.js';

type Flags = Record<string, string | undefined>;

export const CLIENT_USAGE = `usage:
  latchkey client create --name NAME --redirect-uri URI [--redirect-uri URI …] [--grant-type G …] [--response-type R …]
                         [--auth-method METHOD | --public] [--scope "a b"] [--access-token-format jwt|opaque]
                         [--post-logout-redirect-uri URI …] [--backchannel-logout-uri URI]
                         [--from-file client.json] [--json]
  latchkey client list [--json]
  latchkey client show CLIENT_ID [--json]
  latchkey client update CLIENT_ID [the create flags; --from-file replaces the metadata] [--json]
  latchkey client delete CLIENT_ID
  latchkey client rotate-secret CLIENT_ID [--grace SECONDS] [--json]`;

/** The flags `latchkey client …` reads (besides the configuration flags). */
export const CLIENT_FLAGS = ['name', 'redirect-uri', 'grant-type', 'response-type', 'auth-method', 'scope', 'public', 'access-token-format', 'post-logout-redirect-uri', 'backchannel-logout-uri', 'from-file', 'json', 'grace'] as const;

const many = (value: string | undefined): string[] | undefined => value?.split('\n');

function readDocument(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--from-file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new UsageError(`--from-file ${path}: must hold a JSON object of client metadata`);
  }
}

/** The client document the flags describe, over `base` (a file, or the client being updated). */
export function documentFromFlags(flags: Flags, base: Record<string, unknown> = {}): Record<string, unknown> {
  const document: Record<string, unknown> = { ...base };
  const set = (name: string, value: unknown): void => {
    if (value !== undefined) document[name] = value;
  };
  set('client_name', flags.name);
  set('redirect_uris', many(flags['redirect-uri']));
  set('grant_types', many(flags['grant-type']));
  set('response_types', many(flags['response-type']));
  set('scope', flags.scope);
  set('post_logout_redirect_uris', many(flags['post-logout-redirect-uri']));
  set('backchannel_logout_uri', flags['backchannel-logout-uri']);
  if (flags.public !== undefined && flags['auth-method'] !== undefined && flags['auth-method'] !== 'none') {
    throw new UsageError('--public and --auth-method do not go together (a public client authenticates with none)');
  }
  set('token_endpoint_auth_method', flags.public !== undefined ? 'none' : flags['auth-method']);
  if (flags['access-token-format'] !== undefined) {
    const policy = typeof document.policy === 'object' && document.policy !== null ? document.policy : {};
    document.policy = { ...policy, access_token_format: flags['access-token-format'] };
  }
  return document;
}

function wireOf(client: Client): Record<string, unknown> {
  return { ...client.metadata, policy: policyToWire(client.policy) };
}

function print(io: CliIo, flags: Flags, change: ClientChange, verb: string): void {
  const { client, clientSecret } = change;
  if (flags.json !== undefined) {
    io.stdout(JSON.stringify(toAdminClientView(client, systemClock.now(), { ...(clientSecret !== undefined && { clientSecret }) }), null, 2));
    return;
  }
  io.stdout(`${verb} client ${client.clientId}${client.metadata.client_name === undefined ? '' : ` (${client.metadata.client_name})`}`);
  io.stdout(`  client_id:     ${client.clientId}`);
  if (clientSecret !== undefined) io.stdout(`  client_secret: ${clientSecret}\n  (shown once: store it now; only its hash is kept)`);
  io.stdout(`  auth method:   ${client.metadata.token_endpoint_auth_method}`);
  io.stdout(`  grant types:   ${client.metadata.grant_types.join(', ') || '(none)'}`);
  if (client.metadata.redirect_uris.length > 0) io.stdout(`  redirect URIs: ${client.metadata.redirect_uris.join(' ')}`);
}

function oneClientId(args: readonly string[]): string {
  const [clientId, extra] = args;
  if (clientId === undefined || extra !== undefined) throw new UsageError(CLIENT_USAGE);
  return clientId;
}

export async function clientCommand(args: readonly string[], flags: Flags, io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  const run = (work: (deps: ClientRegistryDeps) => Promise<void>): Promise<number> =>
    withContext(flags, io, async ({ config, storage, masterKey }) => {
      await work({ config, storage, masterKey, clock: systemClock, random: systemRandom });
      return 0;
    });

  switch (action) {
    case 'create': {
      if (rest.length > 0) throw new UsageError(CLIENT_USAGE);
      const base = flags['from-file'] === undefined ? {} : readDocument(flags['from-file']);
      return run(async (deps) => print(io, flags, await createClient(splitClientDocument(documentFromFlags(flags, base)), deps, { context: cliContext() }), 'created'));
    }
    case 'list':
      return run(async (deps) => {
        const clients: Client[] = [];
        for (let page = await listClients({ limit: 1000 }, deps); page.length > 0; page = await listClients({ after: page.at(-1)?.clientId, limit: 1000 }, deps)) {
          clients.push(...page);
          if (page.length < 1000) break;
        }
        if (flags.json !== undefined) {
          const now = systemClock.now();
          io.stdout(JSON.stringify(clients.map((client) => toAdminClientView(client, now)), null, 2));
          return;
        }
        if (clients.length === 0) io.stdout('no clients yet: latchkey client create --name NAME --redirect-uri URI');
        for (const client of clients) {
          io.stdout(`${client.clientId}  ${client.metadata.token_endpoint_auth_method.padEnd(19)}  ${client.metadata.client_name ?? ''}`);
        }
      });
    case 'show': {
      const clientId = oneClientId(rest);
      return run(async (deps) => {
        const client = await getClient(clientId, deps);
        print(io, flags, { client }, 'client');
        if (flags.json === undefined) io.stdout(`  policy:        ${JSON.stringify(policyToWire(client.policy))}`);
      });
    }
    case 'update': {
      const clientId = oneClientId(rest);
      return run(async (deps) => {
        const base = flags['from-file'] === undefined ? wireOf(await getClient(clientId, deps)) : readDocument(flags['from-file']);
        print(io, flags, await updateClient(clientId, splitClientDocument(documentFromFlags(flags, base)), deps, { context: cliContext() }), 'updated');
      });
    }
    case 'delete': {
      const clientId = oneClientId(rest);
      return run(async (deps) => {
        await deleteClient(clientId, deps, { context: cliContext() });
        io.stdout(`deleted client ${clientId}`);
      });
    }
    case 'rotate-secret': {
      const clientId = oneClientId(rest);
      const grace = flags.grace;
      if (grace !== undefined && !/^\d{1,7}$/.test(grace)) throw new UsageError('--grace must be a whole number of seconds');
      return run(async (deps) => {
        const change = await rotateSecret(clientId, { ...(grace !== undefined && { graceSeconds: Number(grace) }), context: cliContext() }, deps);
        print(io, flags, change, 'rotated the secret of');
        const until = change.client.previousSecretExpiresAt;
        if (flags.json === undefined) io.stdout(until === undefined ? '  the previous secret no longer works' : `  the previous secret works until ${new Date(until).toISOString()}`);
      });
    }
    default:
      throw new UsageError(CLIENT_USAGE);
  }
}
