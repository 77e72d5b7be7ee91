// Creating and maintaining users (OIDC Core §5.1 claims; `sub` per OIDC Core §2: stable, never reassigned, not the username).
import type { Clock } from '../../lib/clock.js';
import type { Random } from '../../lib/random.js';
import type { UserProfile, UserRecord } from '../../storage/records/user.js';
import type { Storage } from '../../storage/storage.js';
import { invalidRequest } from '../errors.js';
import { hashPassword } from './password.js';
import { endSessionsOf } from '../sessions/end-session.js';

export interface UserDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
// Deliberately loose (RFC 5321 is permissive); what matters is one @ and a dotted domain without spaces.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

/** Usernames are case-insensitive: stored lower-case. */
export function normalizeUsername(username: string): string {
  const normalized = username.trim().toLowerCase();
  if (!USERNAME.test(normalized)) throw invalidRequest('a username is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  return normalized;
}

export function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) throw invalidRequest('the email address is not valid');
  return trimmed;
}

export interface NewUser {
  readonly username: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly profile?: UserProfile;
  readonly password?: string;
}

/** Creates a user with a fresh random `sub`. */
export async function createUser(input: NewUser, deps: UserDeps): Promise<UserRecord> {
  const username = normalizeUsername(input.username);
  const email = input.email === undefined ? undefined : checkEmail(input.email);
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const now = deps.clock.now();
  const user: UserRecord = {
    sub: deps.random.id(),
    username,
    ...(email !== undefined && { email }),
    emailVerified: input.emailVerified ?? false,
    profile: input.profile ?? {},
    ...(passwordHash !== undefined && { passwordHash }),
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  const outcome = await deps.storage.users.create(user);
  if (outcome === 'username_taken') throw invalidRequest(`the username ${username} is taken`);
  if (outcome === 'email_taken') throw invalidRequest('another user has that email address');
  return user;
}

/** Finds a user by username or, when the identifier has an @, by email. */
export async function findUserByLogin(identifier: string, storage: Storage): Promise<UserRecord | undefined> {
  const trimmed = identifier.trim();
  if (trimmed.includes('@')) return storage.users.findByEmail(trimmed);
  return storage.users.findByUsername(trimmed.toLowerCase());
}

async function requireUser(username: string, storage: Storage): Promise<UserRecord> {
  const user = await storage.users.findByUsername(username.trim().toLowerCase());
  if (user === undefined) throw invalidRequest(`no user is named ${username.replace(/[^\x20-\x7e]/g, '?')}`);
  return user;
}

async function save(user: UserRecord, storage: Storage): Promise<void> {
  const outcome = await storage.users.update(user);
  if (outcome === 'email_taken') throw invalidRequest('another user has that email address');
  if (outcome === 'not_found') throw invalidRequest('the user no longer exists');
}

/** Sets a new password and ends the user's sessions (whoever knew the old one is signed out). */
export async function setPassword(username: string, password: string, deps: UserDeps): Promise<UserRecord> {
  const user = await requireUser(username, deps.storage);
  const updated = { ...user, passwordHash: await hashPassword(password), updatedAt: deps.clock.now() };
  await save(updated, deps.storage);
  await endSessionsOf(user.sub, deps); // with back-channel logout to the apps signed in through them
  return updated;
}

/** Disables (or re-enables) sign-in; disabling also ends the user's sessions. */
export async function setDisabled(username: string, disabled: boolean, deps: UserDeps): Promise<UserRecord> {
  const user = await requireUser(username, deps.storage);
  const updated = { ...user, disabled, updatedAt: deps.clock.now() };
  await save(updated, deps.storage);
  if (disabled) await endSessionsOf(user.sub, deps); // with back-channel logout to the apps signed in through them
  return updated;
}

/** Deletes the user and ends their sessions. Their `sub` is random and never reused, so nothing left behind can match it. */
export async function deleteUser(username: string, deps: UserDeps): Promise<UserRecord> {
  const user = await requireUser(username, deps.storage);
  await endSessionsOf(user.sub, deps); // with back-channel logout to the apps signed in through them
  await deps.storage.users.delete(user.sub);
  return user;
}

export { requireUser as findUserByUsername };
