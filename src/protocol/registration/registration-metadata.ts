// Discovery contribution of dynamic registration: RFC 8414 §2 registration_endpoint, present only when it is on.
import type { Config } from '../../config/config.js';
import { endpointUrl, ENDPOINT_PATHS, type ServerMetadata } from '../discovery/server-metadata.js';

export function registrationMetadata(config: Pick<Config, 'issuer' | 'registration'>): ServerMetadata {
  return config.registration === 'off' ? {} : { registration_endpoint: endpointUrl(config.issuer, ENDPOINT_PATHS.registration) };
}
