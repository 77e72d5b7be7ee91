// Each scope in words for the consent page (OIDC Core §5.4 for the standard ones, §11 for offline_access).

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Confirm that it is you, with an identifier for your account',
  profile: 'See your profile: name, username, picture, birthdate, locale and time zone',
  email: 'See your email address and whether it is verified',
  address: 'See your postal address',
  phone: 'See your phone number and whether it is verified',
  offline_access: 'Keep this access when you are not using it, until you revoke it',
};

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? `Use the permission "${scope}"`;
}
