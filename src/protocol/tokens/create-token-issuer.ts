// The TokenIssuer every grant calls: RFC 6749 §5.1 issuance, RFC 9068 / opaque access tokens, RFC 6749 §6 refresh
// tokens with RFC 9700 §4.14.2 rotation, all recorded under their grant so they can be revoked together, each
// issuance with its token.issued audit event (issue 9 item 8): in the grant's transaction, or right after the one
// INSERT of a client_credentials token.
import type { Config } from '../../config/config.js';
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { AuditEventRecord, Storage } from '../../storage/storage.js';
import { toAuditRecord } from '../audit/audit-event.js';
import { formatScope } from '../scope.js';
import { invalidGrant } from '../errors.js';
import type { KeyRing } from '../keys/key-ring.js';
import { accessTokenPolicy } from './access-token-policy.js';
import { mintAccessToken, type MintedAccessToken } from './mint-access-token.js';
import { mintRefreshToken, type MintedRefreshToken } from './mint-refresh-token.js';
import type { IssuedTokens, IssueTokensRequest, TokenIssuer } from './token-issuer.js';

export interface TokenIssuerDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly keys: KeyRing;
}

/** Thrown inside the transaction to roll it back; never leaves this module. */
class Outcome {
  constructor(readonly reason: 'grant_revoked' | 'already_rotated' | 'code_used') {}
}

/** @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1 */
export function createTokenIssuer(deps: TokenIssuerDeps): TokenIssuer {
  const { config, storage, clock, keys } = deps;

  async function mint(request: IssueTokensRequest, now: number): Promise<{ access: MintedAccessToken; refresh?: MintedRefreshToken }> {
    if (request.refreshToken && request.grantId === undefined) throw new Error('a refresh token needs a grant');
    const policy = accessTokenPolicy(request.client, request.resources, request.scope, config);
    if (policy.format === 'jwt') await keys.refreshIfStale(); // pick up a rotation made by another process
    const access = mintAccessToken(request, policy, now, deps);
    const refresh = request.refreshToken && request.grantId !== undefined ? mintRefreshToken(request, request.grantId, now, deps) : undefined;
    return { access, ...(refresh !== undefined && { refresh }) };
  }

  /**
   * Writes the tokens under the grant's row lock (Grants.touch), so that a revocation of the grant racing with this
   * issuance, in any process, either sees these tokens or makes this fail: a family once revoked stays dead.
   */
  async function record(grantId: string, now: number, access: MintedAccessToken, refresh: MintedRefreshToken | undefined, event: AuditEventRecord, uses: { rotates?: string; redeemsCode?: string } = {}): Promise<void> {
    const { rotates, redeemsCode } = uses;
    const coversUntil = Math.max(access.record.expiresAt, refresh?.record.expiresAt ?? 0);
    await storage.transaction(async (tx) => {
      if (!(await tx.grants.touch(grantId, now, coversUntil))) throw new Outcome('grant_revoked');
      // After the grant's row lock, as every redemption of this code takes it: the losers wait, then find it used.
      if (redeemsCode !== undefined && !(await tx.authorizationCodes.consume(redeemsCode, now))) throw new Outcome('code_used');
      if (refresh !== undefined) {
        if (rotates === undefined) await tx.refreshTokens.save(refresh.record);
        else if (!(await tx.refreshTokens.rotate(rotates, refresh.record))) throw new Outcome('already_rotated');
      }
      await tx.accessTokens.save(access.record);
      await tx.audit.record(event);
    });
  }

  /** The token.issued event: grant type, client, subject and which kinds of token, never a token or its hash. */
  const issuedEvent = (request: IssueTokensRequest, access: MintedAccessToken, refresh: MintedRefreshToken | undefined): AuditEventRecord => {
    const { audit, client } = request;
    const kinds = ['access_token', ...(refresh !== undefined ? ['refresh_token'] : []), ...(audit.idToken === true ? ['id_token'] : [])];
    return toAuditRecord(
      {
        type: 'token.issued',
        clientId: client.clientId,
        ...(request.subject !== undefined && { subject: request.subject }),
        details: {
          grant_type: audit.grantType,
          issued: kinds.join(' '),
          format: access.record.format,
          sender_constrained: request.dpopJkt !== undefined ? 'dpop' : 'none',
          scope: formatScope(access.record.scope),
          grant_id: request.grantId,
        },
      },
      { actor: `client:${client.clientId}`, ...(audit.ip !== undefined && { ip: audit.ip }), ...(audit.userAgent !== undefined && { userAgent: audit.userAgent }) },
      deps,
    );
  };

  const issued = (access: MintedAccessToken, refresh: MintedRefreshToken | undefined, request: IssueTokensRequest): IssuedTokens => ({
    accessToken: access.token,
    tokenType: request.dpopJkt === undefined ? 'Bearer' : 'DPoP',
    expiresIn: Math.round((access.record.expiresAt - access.record.issuedAt) / 1000),
    scope: access.record.scope,
    ...(refresh !== undefined && { refreshToken: refresh.token }),
  });

  return {
    async issue(request) {
      const now = clock.now();
      const { access, refresh } = await mint(request, now);
      if (request.grantId === undefined) {
        // client_credentials: no grant row to lock. The token and its audit row are written together, not in a
        // transaction (bench/token-audit-write.ts: a transaction costs more than the second INSERT): one statement on
        // PostgreSQL, one group commit on SQLite. The response waits for both: if either fails the request fails, and
        // the token, never handed out, is as good as none. The operator may leave these events out (high volume).
        const audited = config.audit.tokenIssued === 'all' || request.subject !== undefined;
        await storage.accessTokens.save(access.record, audited ? issuedEvent(request, access, refresh) : undefined);
      } else {
        try {
          await record(request.grantId, now, access, refresh, issuedEvent(request, access, refresh), { ...(request.redeemsCode !== undefined && { redeemsCode: request.redeemsCode }) });
        } catch (error) {
          if (error instanceof Outcome) throw invalidGrant(error.reason === 'code_used' ? 'authorization code has already been used' : 'the authorization grant has been revoked');
          throw error;
        }
      }
      return issued(access, refresh, request);
    },

    async rotate(request) {
      const now = clock.now();
      const { access, refresh } = await mint(request, now);
      try {
        await record(request.grantId, now, access, refresh, issuedEvent(request, access, refresh), { rotates: request.rotates });
      } catch (error) {
        if (error instanceof Outcome) return undefined;
        throw error;
      }
      return issued(access, refresh, request);
    },
  };
}
