// The consent form (OIDC Core §3.1.2.4): allow remembers the scopes for this user and client and answers with a code;
// deny answers access_denied (RFC 6749 §4.1.2.1).
import { responseTarget } from '../protocol/authorization/authorization-response.js';
import { toAuditRecord, type AuditOrigin } from '../protocol/audit/audit-event.js';
import { invalidRequest, OAuthError } from '../protocol/errors.js';
import { formatScope } from '../protocol/scope.js';
import { finishInteraction } from './continue-interaction.js';
import type { InteractionDeps, InteractionInput, InteractionResult } from './interaction-result.js';
import { nextStep } from './next-step.js';
import { findSession } from './sessions.js';
import { checkCsrfToken, loadInteraction } from './start-interaction.js';
import { decideDevice } from './verify-device.js';

export interface ConsentInput extends InteractionInput {
  readonly form: Readonly<Record<string, unknown>>;
  /** For the consent.given audit event. */
  readonly origin?: AuditOrigin;
}

export async function submitConsent(input: ConsentInput, deps: InteractionDeps): Promise<InteractionResult> {
  const { interaction, client } = await loadInteraction(input.interactionId, input.bindingSecret, deps);
  checkCsrfToken(input.form, interaction);
  const decision = input.form.decision;
  if (decision !== 'allow' && decision !== 'deny') throw invalidRequest('choose allow or deny');

  const active = await findSession(input.sessionSecret, deps);
  const consented = active === undefined ? [] : await deps.storage.consents.find(active.user.sub, client.clientId);
  const step = nextStep({ request: interaction.request, client, active, interaction, consented, now: deps.clock.now() });
  // Consent counts only from the person the session names, at the consent step: otherwise show what is missing.
  if (active === undefined || (step !== 'consent' && step !== 'done')) return { kind: 'continue', interactionId: interaction.id };

  if (decision === 'deny' && interaction.request.device !== undefined) return decideDevice(interaction, active, false, deps); // RFC 8628 §3.3
  if (decision === 'deny') {
    await deps.storage.interactions.consume(interaction.id, deps.clock.now());
    throw new OAuthError('access_denied', 'the user denied the request').redirectTo(responseTarget(interaction.request, deps.config.issuer));
  }
  const given = toAuditRecord(
    { type: 'consent.given', clientId: client.clientId, subject: active.user.sub, details: { scope: formatScope(interaction.request.scope) } },
    { actor: `user:${active.user.sub}`, ...input.origin },
    deps,
  );
  await deps.storage.transaction(async (tx) => {
    await tx.consents.remember(active.user.sub, client.clientId, interaction.request.scope, deps.clock.now());
    await tx.audit.record(given); // issue 9 item 8: the consent and its record together
  });
  return finishInteraction(interaction, active, deps);
}
