// What the protocol core is given (STYLE.md: dependencies arrive as arguments, no service locator).
import type { Config } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import type { MasterKey } from '../lib/master-key.js';
import type { Random } from '../lib/random.js';
import type { Storage } from '../storage/storage.js';
import type { ClientJwksSource } from './client-authentication/client-jwks.js';
import type { KeyRing } from './keys/key-ring.js';
import type { TokenIssuer } from './tokens/token-issuer.js';

export interface ProtocolDeps {
  readonly config: Config;
  readonly storage: Storage;
  readonly clock: Clock;
  readonly random: Random;
  readonly keys: KeyRing;
  readonly masterKey: MasterKey;
  readonly tokens: TokenIssuer;
  /** The process's jwks_uri cache for private_key_jwt (created in app.ts); absent, keys are fetched per request. */
  readonly clientJwks?: ClientJwksSource;
}
