// Parses the RFC 8707 resource list of the configuration (a JSON array in the config file or LATCHKEY_RESOURCES).
import type { ResourceServerConfig } from './config.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/; // RFC 6749 §3.3
const KNOWN = new Set(['uri', 'scopes', 'accessTokenFormat', 'accessTokenTtlSeconds', 'clients']);

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
export function parseResourceUri(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not an absolute URI`);
  }
  if (raw.includes('#') || url.hash !== '') throw new Error(`"${raw}" must not have a fragment`);
  return raw;
}

function stringList(value: unknown, what: string, check: (item: string) => void): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new Error(`${what} must be a list of strings`);
  for (const item of value as string[]) check(item);
  return [...new Set(value as string[])];
}

function parseResource(entry: unknown, index: number): ResourceServerConfig {
  const at = `resource ${index + 1}`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${at} must be an object`);
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!KNOWN.has(key)) throw new Error(`${at}: unknown field "${key}"`);
  if (typeof fields.uri !== 'string') throw new Error(`${at}: uri is required`);
  const uri = parseResourceUri(fields.uri);
  const { scopes, accessTokenFormat, accessTokenTtlSeconds, clients } = fields;
  if (accessTokenFormat !== undefined && accessTokenFormat !== 'jwt' && accessTokenFormat !== 'opaque') {
    throw new Error(`${at}: accessTokenFormat must be jwt or opaque`);
  }
  if (accessTokenTtlSeconds !== undefined && (!Number.isInteger(accessTokenTtlSeconds) || (accessTokenTtlSeconds as number) < 1 || (accessTokenTtlSeconds as number) > 86_400)) {
    throw new Error(`${at}: accessTokenTtlSeconds must be a whole number from 1 to 86400`);
  }
  return {
    uri,
    ...(scopes !== undefined && {
      scopes: stringList(scopes, `${at}: scopes`, (scope) => {
        if (!SCOPE_TOKEN.test(scope)) throw new Error(`${at}: scope "${scope}" has characters RFC 6749 §3.3 does not allow`);
      }),
    }),
    ...(accessTokenFormat !== undefined && { accessTokenFormat }),
    ...(accessTokenTtlSeconds !== undefined && { accessTokenTtlSeconds: accessTokenTtlSeconds as number }),
    ...(clients !== undefined && { clients: stringList(clients, `${at}: clients`, () => undefined) }),
  };
}

/** `[{"uri": "https://api.example.com", "scopes": ["read"], "accessTokenFormat": "jwt", "clients": ["api"]}]` */
export function parseResources(raw: string): readonly ResourceServerConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON array of resources');
  }
  if (!Array.isArray(parsed)) throw new Error('must be a JSON array of resources');
  const resources = parsed.map(parseResource);
  const seen = new Set<string>();
  for (const resource of resources) {
    if (seen.has(resource.uri)) throw new Error(`resource ${resource.uri} is listed twice`);
    seen.add(resource.uri);
  }
  return resources;
}
