// What the person must do before the authorization request can be answered: OIDC Core §3.1.2.3 (authenticate,
// with prompt=login and max_age forcing it), §3.1.2.4 (consent, remembered per client and scopes), prompt=select_account.
import type { Client } from '../storage/records/client.js';
import type { AuthorizationRequest, InteractionRecord } from '../storage/records/authorization-request.js';
import type { ActiveSession } from './sessions.js';

export type Step = 'login' | 'select_account' | 'consent' | 'done';

export interface StepInput {
  readonly request: AuthorizationRequest;
  readonly client: Client;
  readonly active?: ActiveSession;
  /** Progress on the pages; absent when /authorize itself decides. */
  readonly interaction?: Pick<InteractionRecord, 'sessionId' | 'accountConfirmed' | 'loginRequested'>;
  /** Scopes the user allowed this client before. */
  readonly consented: readonly string[];
  readonly now: number;
}

/** The scopes of the request the user has not allowed this client yet. */
export function scopesNeedingConsent(request: AuthorizationRequest, consented: readonly string[]): string[] {
  return request.scope.filter((scope) => !consented.includes(scope));
}

/** @see https://openid.net/specs/openid-connect-core-1_0.html#Authenticates */
export function nextStep({ request, client, active, interaction, consented, now }: StepInput): Step {
  if (active === undefined) return 'login';
  const loggedInHere = interaction?.sessionId === active.session.id;
  if (!loggedInHere) {
    if (interaction?.loginRequested === true) return 'login';
    if (request.prompt.includes('login')) return 'login';
    // OIDC Core §3.1.2.1: max_age forces a fresh login when the last one is older.
    if (request.maxAge !== undefined && now - active.session.authTime > request.maxAge * 1000) return 'login';
    if (request.prompt.includes('select_account') && interaction?.accountConfirmed !== true) return 'select_account';
  }
  if (request.prompt.includes('consent')) return 'consent';
  if (client.policy.skipConsent !== true && scopesNeedingConsent(request, consented).length > 0) return 'consent';
  return 'done';
}
