// A person who signs in at Latchkey: the OpenID Connect standard claims (OIDC Core §5.1) and an argon2id password hash.

/** OIDC Core §5.1.1 */
export interface PostalAddress {
  readonly formatted?: string;
  readonly street_address?: string;
  readonly locality?: string;
  readonly region?: string;
  readonly postal_code?: string;
  readonly country?: string;
}

/** The standard claims other than sub, email and email_verified, in their wire names (OIDC Core §5.1). */
export interface UserProfile {
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly middle_name?: string;
  readonly nickname?: string;
  readonly profile?: string;
  readonly picture?: string;
  readonly website?: string;
  readonly gender?: string;
  readonly birthdate?: string;
  readonly zoneinfo?: string;
  readonly locale?: string;
  readonly phone_number?: string;
  readonly phone_number_verified?: boolean;
  readonly address?: PostalAddress;
}

export interface UserRecord {
  /** OIDC Core §2: stable, never reassigned, and not the username (which a person may want to change). */
  readonly sub: string;
  /** Lower-case; unique. Shown as preferred_username. */
  readonly username: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly profile: UserProfile;
  /** PHC string of argon2id; absent when the user cannot sign in with a password yet. */
  readonly passwordHash?: string;
  readonly disabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}
