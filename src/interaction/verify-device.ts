// The device verification flow (RFC 8628 §3.3): the person types the user code, signs in (the interaction's login),
// is shown which client asks for which scopes (consent, always asked: §5.4 remote phishing), and approves or denies.
import { constantTimeEqual, hashSecret } from '../lib/hash.js';
import { verificationUri } from '../protocol/device/authorize-device.js';
import { normaliseUserCode } from '../protocol/device/user-code.js';
import { OAuthError } from '../protocol/errors.js';
import type { AuthorizationRequest, InteractionRecord } from '../storage/records/authorization-request.js';
import type { DeviceApproval } from '../storage/records/device-code.js';
import type { InteractionDeps, InteractionResult } from './interaction-result.js';
import type { DeviceEntryPage } from './pages.js';
import type { ActiveSession } from './sessions.js';
import { startInteraction, type StartedInteraction } from './start-interaction.js';
import { recordUserCodeFailure, userCodeWaitMs } from './user-code-throttle.js';

export interface UserCodeInput {
  readonly form: Readonly<Record<string, unknown>>;
  /** The double-submit CSRF cookie's value. */
  readonly csrfCookie: string | undefined;
  readonly ip: string;
}

export type UserCodeResult =
  | { readonly kind: 'page'; readonly page: DeviceEntryPage; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'interaction'; readonly started: StartedInteraction };

const gone = (): OAuthError => new OAuthError('invalid_request', 'This code has expired or was already used. Start again on your device.');

/** The entry form, pre-filled from verification_uri_complete (§3.3.1) when the code there is well-formed. */
export function deviceEntryPage(csrfToken: string, prefill: unknown): DeviceEntryPage {
  const code = typeof prefill === 'string' ? normaliseUserCode(prefill) : undefined;
  return { page: 'device_entry', csrfToken, ...(code !== undefined && { userCode: `${code.slice(0, 4)}-${code.slice(4)}` }) };
}

/** @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3 */
export async function submitUserCode(input: UserCodeInput, deps: InteractionDeps): Promise<UserCodeResult> {
  const token = input.form.csrf_token;
  if (typeof token !== 'string' || input.csrfCookie === undefined || !constantTimeEqual(token, input.csrfCookie)) {
    throw new OAuthError('access_denied', 'The form could not be verified. Go back, reload the page and try again.');
  }
  const typed = typeof input.form.user_code === 'string' ? input.form.user_code.trim().slice(0, 32) : '';
  if (typed === '') return { kind: 'page', status: 400, page: { page: 'device_entry', csrfToken: token, error: 'missing_code' } };
  const waitMs = await userCodeWaitMs(input.ip, deps);
  if (waitMs > 0) {
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    return { kind: 'page', status: 429, retryAfterSeconds, page: { page: 'device_entry', csrfToken: token, userCode: typed, error: 'throttled', retryAfterSeconds } };
  }
  const code = normaliseUserCode(typed);
  const record = code === undefined ? undefined : await deps.storage.deviceCodes.findByUserCode(hashSecret(code));
  if (record === undefined || record.status !== 'pending' || record.expiresAt <= deps.clock.now()) {
    await recordUserCodeFailure(input.ip, deps);
    return { kind: 'page', status: 400, page: { page: 'device_entry', csrfToken: token, userCode: typed, error: 'invalid_code' } };
  }
  const request: AuthorizationRequest = {
    clientId: record.clientId,
    redirectUri: verificationUri(deps.config), // nothing is redirected: the flow ends on Latchkey's own page
    redirectUriProvided: false,
    responseType: 'code',
    responseMode: 'query',
    scope: record.scope,
    prompt: ['consent'],
    uiLocales: [],
    acrValues: [],
    device: { deviceCodeHash: record.deviceCodeHash },
  };
  return { kind: 'interaction', started: await startInteraction(request, deps) };
}

/** Records the person's decision on the device code, once; the interaction ends on the outcome page. */
export async function decideDevice(interaction: InteractionRecord, active: ActiveSession | undefined, approved: boolean, deps: InteractionDeps): Promise<InteractionResult> {
  const device = interaction.request.device;
  if (device === undefined) throw gone();
  const now = deps.clock.now();
  if (!(await deps.storage.interactions.consume(interaction.id, now))) throw gone();
  const client = await deps.storage.clients.find(interaction.request.clientId);
  if (approved && active !== undefined) {
    const { session, user } = active;
    const grantId = deps.random.id();
    const approval: DeviceApproval = {
      grantId,
      subject: user.sub,
      sessionId: session.id,
      authTime: session.authTime,
      ...(session.acr !== undefined && { acr: session.acr }),
      amr: session.amr,
    };
    const record = await deps.storage.deviceCodes.findByDeviceCode(device.deviceCodeHash);
    if (record === undefined) throw gone();
    await deps.storage.transaction(async (storage) => {
      // Until tokens are issued under it, the grant covers only the device code.
      await storage.grants.create({
        id: grantId,
        clientId: record.clientId,
        subject: user.sub,
        scope: record.scope,
        resources: [],
        sessionId: session.id,
        authTime: session.authTime,
        ...(session.acr !== undefined && { acr: session.acr }),
        amr: session.amr,
        createdAt: now,
        expiresAt: record.expiresAt,
      });
      if (!(await storage.deviceCodes.decide(device.deviceCodeHash, { status: 'approved', approval }, now))) throw gone();
    });
  } else if (!(await deps.storage.deviceCodes.decide(device.deviceCodeHash, { status: 'denied' }, now))) {
    throw gone();
  }
  return { kind: 'page', status: 200, page: { page: 'device_done', approved, clientName: client?.metadata.client_name ?? interaction.request.clientId } };
}
