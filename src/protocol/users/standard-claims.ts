// Which user claims each scope releases: OIDC Core §5.4 (profile, email, address, phone) over the §5.1 standard claims.
import type { UserRecord } from '../../storage/records/user.js';

/** OIDC Core §5.4 */
export const SCOPE_CLAIMS = {
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

/** Every claim Latchkey can release (discovery's claims_supported). */
export const SUPPORTED_CLAIMS: readonly string[] = ['sub', ...Object.values(SCOPE_CLAIMS).flat()];

/** The user's claims as OIDC names them, before any scope filter. */
function allClaims(user: UserRecord): Record<string, unknown> {
  return {
    ...user.profile,
    preferred_username: user.username,
    ...(user.email !== undefined && { email: user.email, email_verified: user.emailVerified }),
    updated_at: Math.floor(user.updatedAt / 1000), // OIDC Core §5.1: seconds since the epoch
  };
}

/**
 * The claims `scope` releases about `user` (without sub, which every response carries).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims
 */
export function claimsForScope(user: UserRecord, scope: readonly string[]): Record<string, unknown> {
  const available = allClaims(user);
  const released: Record<string, unknown> = {};
  for (const [name, claims] of Object.entries(SCOPE_CLAIMS)) {
    if (!scope.includes(name)) continue;
    for (const claim of claims) {
      const value = available[claim];
      if (value !== undefined && value !== null && value !== '') released[claim] = value;
    }
  }
  return released;
}
