// The account chooser (OIDC Core §3.1.2.1 prompt=select_account): continue as the signed-in account, or sign in as another.
import { invalidRequest } from '../protocol/errors.js';
import type { InteractionDeps, InteractionInput, InteractionResult } from './interaction-result.js';
import { checkCsrfToken, loadInteraction } from './start-interaction.js';

export interface AccountChoiceInput extends InteractionInput {
  readonly form: Readonly<Record<string, unknown>>;
}

export async function submitAccountChoice(input: AccountChoiceInput, deps: InteractionDeps): Promise<InteractionResult> {
  const { interaction } = await loadInteraction(input.interactionId, input.bindingSecret, deps);
  checkCsrfToken(input.form, interaction);
  const choice = input.form.choice;
  if (choice === 'continue') await deps.storage.interactions.update(interaction.id, { accountConfirmed: true });
  else if (choice === 'switch') await deps.storage.interactions.update(interaction.id, { loginRequested: true });
  else throw invalidRequest('choose an account');
  return { kind: 'continue', interactionId: interaction.id };
}
