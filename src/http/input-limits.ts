// Transport input limits (issue 9 item 2), enforced before any parsing or protocol work: request target and header
// sizes, per-endpoint body sizes, form and query strings that are valid UTF-8 percent-encoding without NUL, and a
// JSON parser that refuses invalid UTF-8, deep nesting, huge documents and prototype keys. Limits: protocol/limits.ts.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../protocol/errors.js';
import { BODY_LIMITS, INPUT_LIMITS } from '../protocol/limits.js';

const refuse = (why: string): OAuthError => new OAuthError('invalid_request', why);
const FORM = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A request body as text, refused unless it is valid UTF-8 (a leading BOM is dropped, as the Encoding standard does). */
function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw refuse('the request body is not valid UTF-8');
  }
}

/** Parsed form parameters: a repeated name collects its values in order (Params.from then refuses it, RFC 6749 §3.1). */
export type FormFields = Record<string, string | string[]>;

/**
 * Parses an application/x-www-form-urlencoded string (a body or a query) in one pass, checking it as it goes:
 * parameter count, and every name and value must percent-decode to UTF-8 without NUL (a parser that kept bad escapes
 * as literal text would let them through). `+` is a space; a pair without `=` is a name with an empty value; empty
 * pairs are skipped. @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded
 */
export function parseForm(raw: string): FormFields {
  const fields: FormFields = Object.create(null) as FormFields;
  if (raw === '') return fields;
  const pairs = raw.split('&');
  if (pairs.length > INPUT_LIMITS.parameters) throw refuse(`more than ${INPUT_LIMITS.parameters} parameters`);
  for (const pair of pairs) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeFormComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeFormComponent(pair.slice(equals + 1));
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  return fields;
}

function decodeFormComponent(component: string): string {
  if (!component.includes('%')) return component.includes('+') ? component.replace(/\+/g, ' ') : component;
  let decoded: string;
  try {
    decoded = decodeURIComponent(component.replace(/\+/g, ' '));
  } catch {
    throw refuse('the parameters are not valid UTF-8 percent-encoding');
  }
  if (decoded.includes('\u0000')) throw refuse('the parameters contain a NUL character');
  return decoded;
}

/** Registration JSON: depth, size, no `__proto__`/`constructor` keys, no NUL in keys or strings. */
export function checkJsonShape(value: unknown): void {
  let members = 0;
  const walk = (node: unknown, depth: number): void => {
    if (typeof node === 'string') {
      if (node.includes('\u0000')) throw refuse('the JSON body contains a NUL character');
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (depth > INPUT_LIMITS.jsonDepth) throw refuse(`the JSON body is nested deeper than ${INPUT_LIMITS.jsonDepth} levels`);
    const entries = Array.isArray(node) ? node.map((item) => ['', item] as const) : Object.entries(node);
    members += entries.length;
    if (members > INPUT_LIMITS.jsonMembers) throw refuse(`the JSON body has more than ${INPUT_LIMITS.jsonMembers} members`);
    for (const [key, item] of entries) {
      if (key.includes('\u0000')) throw refuse('the JSON body contains a NUL character');
      walk(item, depth + 1);
    }
  };
  walk(value, 1);
}

/** Request target and header sizes, and a query string that decodes cleanly: before any routing or parsing. */
export function checkTransportLimits(request: IncomingMessage): void {
  const url = request.url ?? '';
  if (url.length > INPUT_LIMITS.urlLength) throw refuse(`the request target is longer than ${INPUT_LIMITS.urlLength} bytes`);
  const raw = request.rawHeaders;
  if (raw.length / 2 > INPUT_LIMITS.headerCount) throw refuse(`more than ${INPUT_LIMITS.headerCount} headers`);
  for (let i = 1; i < raw.length; i += 2) {
    if ((raw[i] as string).length > INPUT_LIMITS.headerLength) throw refuse(`a header is longer than ${INPUT_LIMITS.headerLength} bytes`);
  }
  const query = url.indexOf('?');
  if (query !== -1) parseForm(url.slice(query + 1)); // checked only: Fastify parses the query for the route
  if (url.slice(0, query === -1 ? undefined : query).includes('%00')) throw refuse('the path contains a NUL character');
}

export function registerInputLimits(app: FastifyInstance): void {
  // Per-endpoint body sizes, applied to every route as it is registered (routes added later by other modules too).
  app.addHook('onRoute', (route) => {
    const limit = BODY_LIMITS[route.url];
    if (limit !== undefined && (route.bodyLimit === undefined || route.bodyLimit > limit)) route.bodyLimit = limit;
  });

  app.addHook('onRequest', (request, _reply, done) => {
    try {
      checkTransportLimits(request.raw);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });

  // JSON (registration, admin API): strict UTF-8, no prototype keys, bounded shape. text/plain is not accepted anywhere.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let value: unknown;
    try {
      const text = decodeUtf8(body as Buffer);
      value = text.trim() === '' ? undefined : JSON.parse(text, (key, item: unknown) => {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype') throw refuse('the JSON body has a forbidden member name');
        return item;
      });
    } catch (error) {
      done(error instanceof OAuthError ? error : refuse(error instanceof TypeError ? 'the request body is not valid UTF-8' : 'the request body is not valid JSON'), undefined);
      return;
    }
    try {
      checkJsonShape(value);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, value);
  });
}

/**
 * The form parser of the protocol endpoints (RFC 6749 §3.2: application/x-www-form-urlencoded). Read whole (within
 * the route's bodyLimit), decoded as strict UTF-8 and parsed in one pass: one read and one decode of the bytes.
 */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(FORM, { parseAs: 'buffer' }, (_request, body, done) => {
    let fields: FormFields;
    try {
      fields = parseForm(decodeUtf8(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, fields);
  });
}
