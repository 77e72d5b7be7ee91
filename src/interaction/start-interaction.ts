// Starting and resuming an interaction: the validated authorization request kept server-side while the person signs
// in and consents, bound to one browser by a cookie, and expiring (OIDC Core §3.1.2.3-§3.1.2.4).
import { constantTimeEqual, hashSecret } from '../lib/hash.js';
import { OAuthError } from '../protocol/errors.js';
import type { AuthorizationRequest, InteractionRecord } from '../storage/records/authorization-request.js';
import type { Client } from '../storage/records/client.js';
import type { InteractionDeps } from './interaction-result.js';
import type { InteractionContext } from './pages.js';

export interface StartedInteraction {
  readonly interactionId: string;
  /** The cookie that binds it to this browser. */
  readonly binding: { readonly secret: string; readonly maxAgeSeconds: number };
}

export async function startInteraction(request: AuthorizationRequest, deps: Pick<InteractionDeps, 'config' | 'storage' | 'clock' | 'random'>): Promise<StartedInteraction> {
  const now = deps.clock.now();
  const secret = deps.random.token();
  const ttl = deps.config.authorization.interactionTtlSeconds;
  const interaction: InteractionRecord = {
    id: deps.random.token(),
    bindingHash: hashSecret(secret),
    csrfToken: deps.random.token(),
    request,
    accountConfirmed: false,
    loginRequested: false,
    createdAt: now,
    expiresAt: now + ttl * 1000,
  };
  await deps.storage.interactions.create(interaction);
  return { interactionId: interaction.id, binding: { secret, maxAgeSeconds: ttl } };
}

const expired = (): OAuthError =>
  new OAuthError('invalid_request', 'This sign-in request has expired or was already completed. Return to the application and start again.');

/** The live interaction and its client; errors here are shown on Latchkey's own page. */
export async function loadInteraction(
  interactionId: string,
  bindingSecret: string | undefined,
  deps: Pick<InteractionDeps, 'storage' | 'clock'>,
): Promise<{ interaction: InteractionRecord; client: Client }> {
  const interaction = interactionId.length <= 100 ? await deps.storage.interactions.find(interactionId) : undefined;
  if (interaction === undefined || interaction.consumedAt !== undefined || interaction.expiresAt <= deps.clock.now()) throw expired();
  if (bindingSecret === undefined || !constantTimeEqual(hashSecret(bindingSecret), interaction.bindingHash)) {
    throw new OAuthError('access_denied', 'This sign-in request was started in another browser. Return to the application and start again.');
  }
  const client = await deps.storage.clients.find(interaction.request.clientId);
  if (client === undefined) throw expired();
  return { interaction, client };
}

/** Synchronizer token check (OWASP CSRF Prevention): every form of the interaction carries it. */
export function checkCsrfToken(form: Readonly<Record<string, unknown>>, interaction: InteractionRecord): void {
  const token = form.csrf_token;
  if (typeof token !== 'string' || !constantTimeEqual(token, interaction.csrfToken)) {
    throw new OAuthError('access_denied', 'The form could not be verified. Go back, reload the page and try again.');
  }
}

export function interactionContext(interaction: InteractionRecord, client: Client): InteractionContext {
  const { metadata } = client;
  return {
    interactionId: interaction.id,
    csrfToken: interaction.csrfToken,
    client: {
      name: metadata.client_name ?? client.clientId,
      ...(metadata.logo_uri !== undefined && { logoUri: metadata.logo_uri }),
      ...(metadata.client_uri !== undefined && { clientUri: metadata.client_uri }),
      ...(metadata.policy_uri !== undefined && { policyUri: metadata.policy_uri }),
      ...(metadata.tos_uri !== undefined && { tosUri: metadata.tos_uri }),
    },
    redirectUri: interaction.request.redirectUri,
    uiLocales: interaction.request.uiLocales,
  };
}
