// The authorization endpoint: RFC 6749 §3.1 and §4.1.1-§4.1.2.1, OIDC Core §3.1.2, RFC 9126 §4 (pushed requests),
// RFC 9207 (iss). Answers at once when a session and remembered consent allow it, else hands over to the pages.
import { findSession } from '../../interaction/sessions.js';
import { nextStep, type Step } from '../../interaction/next-step.js';
import { startInteraction, type StartedInteraction } from '../../interaction/start-interaction.js';
import type { InteractionDeps } from '../../interaction/interaction-result.js';
import { invalidRequest, OAuthError } from '../errors.js';
import type { AuthorizationResponse } from './authorization-request.js';
import { issueAuthorizationResponse } from './issue-authorization-response.js';
import { resolveClientAndRedirectUri, type RawParams } from './resolve-client-and-redirect-uri.js';
import { validateAuthorizationRequest } from './validate-authorization-request.js';

export interface AuthorizeInput {
  /** The query (GET) or form body (POST), as parsed: a repeated parameter is an array. */
  readonly params: RawParams;
  readonly sessionSecret: string | undefined;
}

export type AuthorizeOutcome =
  | { readonly kind: 'respond'; readonly response: AuthorizationResponse }
  | ({ readonly kind: 'interact' } & StartedInteraction);

export type AuthorizationEndpoint = (input: AuthorizeInput) => Promise<AuthorizeOutcome>;

/** OIDC Core §3.1.2.6: what prompt=none answers instead of showing a page. */
const PROMPT_NONE_ERRORS: Record<Exclude<Step, 'done'>, OAuthError> = {
  login: new OAuthError('login_required', 'the user must sign in'),
  select_account: new OAuthError('account_selection_required', 'the user must choose an account'),
  consent: new OAuthError('consent_required', 'the user must consent'),
};

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
export function createAuthorizationEndpoint(deps: InteractionDeps): AuthorizationEndpoint {
  return async ({ params, sessionSecret }) => {
    // Errors up to here are shown on Latchkey's page: the redirect URI is not verified yet (RFC 6749 §4.1.2.1).
    const target = await resolveClientAndRedirectUri(params, deps);
    try {
      const { client } = target;
      if (!target.pushed && (deps.config.authorization.requirePushedAuthorizationRequests || client.metadata.require_pushed_authorization_requests === true)) {
        throw invalidRequest('this client must use a pushed authorization request (RFC 9126)');
      }
      const request = validateAuthorizationRequest(target, deps.config);
      const active = await findSession(sessionSecret, deps);
      const consented = active === undefined ? [] : await deps.storage.consents.find(active.user.sub, client.clientId);
      const step = nextStep({ request, client, active, consented, now: deps.clock.now() });
      if (step === 'done' && active !== undefined) return { kind: 'respond', response: await issueAuthorizationResponse(request, active, deps) };
      if (request.prompt.includes('none')) throw PROMPT_NONE_ERRORS[step === 'done' ? 'login' : step];
      return { kind: 'interact', ...(await startInteraction(request, deps)) };
    } catch (error) {
      if (error instanceof OAuthError && error.redirect === undefined) throw error.redirectTo(target.errorTarget);
      throw error;
    }
  };
}
