// What logout adds to discovery: RP-Initiated Logout 1.0 §2.1 (end_session_endpoint), Back-Channel Logout 1.0 §2.1;
// front-channel logout is not supported, so its fields are absent (false by default, Front-Channel Logout §3).
import type { Config } from '../../config/config.js';
import { endpointUrl, type ServerMetadata } from '../discovery/server-metadata.js';

export const END_SESSION_PATH = '/logout';

export function logoutMetadata(config: Pick<Config, 'issuer'>): ServerMetadata {
  return {
    end_session_endpoint: endpointUrl(config.issuer, END_SESSION_PATH),
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    frontchannel_logout_supported: false,
  };
}
