// Device access token request: RFC 8628 §3.4-§3.5. Polling answers authorization_pending, slow_down (the interval,
// remembered per device code, grows by 5 s), access_denied or expired_token; an approved code is redeemed once.
import { hashSecret } from '../../lib/hash.js';
import { DEVICE_CODE_GRANT_TYPE, DEVICE_FLOW } from '../device/authorize-device.js';
import { invalidGrant, OAuthError } from '../errors.js';
import { issueUserTokens } from '../tokens/issue-user-tokens.js';
import { issuanceAudit, type TokenGrant } from './token-grant.js';

export const deviceCodeGrant: TokenGrant = {
  grantType: DEVICE_CODE_GRANT_TYPE,
  parameters: new Set(['device_code']),

  /** @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5 */
  async exchange(request, deps) {
    const { client, params, dpopJkt } = request;
    const { storage, clock } = deps;
    const hash = hashSecret(params.required('device_code'));
    const record = await storage.deviceCodes.findByDeviceCode(hash);
    const now = clock.now();
    if (record === undefined || record.clientId !== client.clientId) throw invalidGrant('the device_code is invalid or was issued to another client');
    if (record.consumedAt !== undefined) throw invalidGrant('the device_code has already been used');
    if (record.expiresAt <= now) throw new OAuthError('expired_token', 'the device_code has expired; start a new device authorization');
    if (!(await storage.deviceCodes.poll(hash, now, DEVICE_FLOW.slowDownSeconds))) {
      throw new OAuthError('slow_down', 'polling too fast: wait the interval, now 5 seconds longer');
    }
    if (record.status === 'denied') throw new OAuthError('access_denied', 'the user denied the request');
    if (record.status === 'pending' || record.approval === undefined) throw new OAuthError('authorization_pending', 'the user has not yet approved the request');

    const { approval } = record;
    if (!(await storage.deviceCodes.consume(hash, now))) throw invalidGrant('the device_code has already been used');
    const user = await storage.users.find(approval.subject);
    if (user === undefined || user.disabled) throw invalidGrant('the user can no longer sign in');
    return issueUserTokens(
      {
        client,
        audit: issuanceAudit(request, DEVICE_CODE_GRANT_TYPE),
        user,
        grantId: approval.grantId,
        scope: record.scope,
        authTime: approval.authTime,
        ...(approval.acr !== undefined && { acr: approval.acr }),
        amr: approval.amr,
        sessionId: approval.sessionId,
        ...(dpopJkt !== undefined && { dpopJkt }), // RFC 9449 §5
      },
      deps,
    );
  },
};
