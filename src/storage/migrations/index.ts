// Numbered migrations, applied in order by `latchkey migrate` and at start. Never edit one that has shipped; add the next.
import type { Migration } from 'kysely';
import * as foundation from './0001-foundation.js';
import * as clients from './0002-clients.js';
import * as clientRegistration from './0003-client-registration.js';
import * as tokens from './0004-tokens.js';
import * as usersSessions from './0005-users-sessions.js';
import * as hardening from './0006-hardening.js';
import * as dpopTokenExchange from './0007-dpop-token-exchange.js';
import * as logout from './0008-logout.js';
import * as device from './0009-device.js';
import * as queryPlanIndexes from './0011-query-plan-indexes.js';

export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-clients': clients,
  '0003-client-registration': clientRegistration,
  '0004-tokens': tokens,
  '0005-users-sessions': usersSessions,
  '0006-hardening': hardening,
  '0007-dpop-token-exchange': dpopTokenExchange,
  '0008-logout': logout,
  '0009-device': device,
  '0011-query-plan-indexes': queryPlanIndexes,
};
