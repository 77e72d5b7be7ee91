// The outbound POST of back-channel logout (OIDC Back-Channel Logout 1.0 §2.5) through the shared outbound guard
// (src/lib/outbound/, issue 9 item 3): https only, every resolved address checked and the connection pinned to it (DNS
// rebinding), the operator's allow-list (LATCHKEY_OUTBOUND_ALLOW), a timeout, a size cap, and no redirects followed.
import { guardedPostForm, type OutboundPolicy, type Resolver } from './outbound/guarded-fetch.js';

export interface PostOptions extends OutboundPolicy {
  readonly timeoutMs: number;
  /** Injected in tests to decide on addresses nothing connects to. */
  readonly resolve?: Resolver;
}

/** The RP's answer is not needed beyond its status (§2.8); a little of it is read so that the connection can end cleanly. */
const ANSWER_MAX_BYTES = 16 * 1024;

/** POSTs `form` to `uri`; resolves with the status (a 3xx is refused, not followed); rejects when refused or failed. */
export async function postForm(uri: string, form: Readonly<Record<string, string>>, options: PostOptions): Promise<number> {
  const response = await guardedPostForm(uri, form, { ...options, maxBytes: ANSWER_MAX_BYTES });
  return response.status;
}
