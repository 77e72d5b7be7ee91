// Showing the next step of an interaction, or finishing it with the authorization response (OIDC Core §3.1.2.3-§3.1.2.5).
import { issueAuthorizationResponse } from '../protocol/authorization/issue-authorization-response.js';
import { OAuthError } from '../protocol/errors.js';
import type { InteractionRecord } from '../storage/records/authorization-request.js';
import type { Client } from '../storage/records/client.js';
import type { UserRecord } from '../storage/records/user.js';
import type { InteractionDeps, InteractionInput, InteractionResult } from './interaction-result.js';
import { nextStep, scopesNeedingConsent } from './next-step.js';
import type { AccountDisplay } from './pages.js';
import { findSession, type ActiveSession } from './sessions.js';
import { decideDevice } from './verify-device.js';
import { interactionContext, loadInteraction } from './start-interaction.js';

export const accountDisplay = (user: UserRecord): AccountDisplay => ({
  username: user.username,
  ...(user.profile.name !== undefined && { name: user.profile.name }),
  ...(user.email !== undefined && { email: user.email }),
});

/** Ends the interaction (once, however many tabs race) and answers the client with a fresh code. */
export async function finishInteraction(interaction: InteractionRecord, active: ActiveSession, deps: InteractionDeps): Promise<InteractionResult> {
  if (interaction.request.device !== undefined) return decideDevice(interaction, active, true, deps); // RFC 8628 §3.3
  if (!(await deps.storage.interactions.consume(interaction.id, deps.clock.now()))) {
    throw new OAuthError('invalid_request', 'This sign-in request was already completed. Return to the application.');
  }
  return { kind: 'respond', response: await issueAuthorizationResponse(interaction.request, active, deps) };
}

/** Decides what the person sees next for an interaction already loaded. */
export async function proceed(interaction: InteractionRecord, client: Client, sessionSecret: string | undefined, deps: InteractionDeps): Promise<InteractionResult> {
  const active = await findSession(sessionSecret, deps);
  const consented = active === undefined ? [] : await deps.storage.consents.find(active.user.sub, client.clientId);
  const step = nextStep({ request: interaction.request, client, active, interaction, consented, now: deps.clock.now() });
  const context = interactionContext(interaction, client);
  if (step === 'login' || active === undefined) {
    const hint = interaction.request.loginHint;
    return { kind: 'page', status: 200, page: { page: 'login', context, ...(hint !== undefined && { identifier: hint }) } };
  }
  if (step === 'select_account') return { kind: 'page', status: 200, page: { page: 'select_account', context, account: accountDisplay(active.user) } };
  if (step === 'consent') {
    return {
      kind: 'page',
      status: 200,
      page: { page: 'consent', context, account: accountDisplay(active.user), scopes: interaction.request.scope, newScopes: scopesNeedingConsent(interaction.request, consented) },
    };
  }
  return finishInteraction(interaction, active, deps);
}

/** GET of the interaction page. */
export async function showInteraction(input: InteractionInput, deps: InteractionDeps): Promise<InteractionResult> {
  const { interaction, client } = await loadInteraction(input.interactionId, input.bindingSecret, deps);
  return proceed(interaction, client, input.sessionSecret, deps);
}
