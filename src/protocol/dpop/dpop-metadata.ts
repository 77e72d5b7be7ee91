// What DPoP adds to the authorization server metadata: RFC 9449 §5.1.
import type { ServerMetadata } from '../discovery/server-metadata.js';
import { DPOP_SIGNING_ALGS } from './verify-dpop-proof.js';

/** @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1 */
export function dpopMetadata(): ServerMetadata {
  return { dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGS] };
}
