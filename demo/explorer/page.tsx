// The flow explorer's one page: ten panels, one per step of the flow, each with the real HTTP exchanges.
// Server-rendered (every dynamic value escaped), no script, WCAG 2.1 AA colours (demo/explorer/explorer.css).
import { escapeHtml } from '@kitajs/html';
import type { ClientSetup, FlowState } from './flow.js';
import { shorten, type Exchange, type WireMessage } from './wire.js';

const e = (value: unknown): string => escapeHtml(typeof value === 'string' ? value : JSON.stringify(value, null, 2));

export interface PageContext {
  readonly setup: ClientSetup;
  readonly state: FlowState;
  readonly username: string;
}

/** What each authorization request parameter is for, and where it is specified. */
const PARAMETER_NOTES: Record<string, string> = {
  response_type: '"code": ask for an authorization code (RFC 6749 §4.1.1)',
  client_id: 'who is asking: the client registered in step 1',
  redirect_uri: 'where Latchkey sends the browser back; must match a registered URI exactly (RFC 6749 §3.1.2)',
  scope: 'what the client asks for: openid (an ID Token), profile and email (claims), offline_access (a refresh token), notes:read (the API)',
  state: 'a random value tied to this browser, checked on return (CSRF defence, RFC 6749 §10.12)',
  nonce: 'a random value Latchkey copies into the ID Token, checked in step 6 (OIDC Core §3.1.2.1)',
  code_challenge: 'SHA-256 of a secret code_verifier kept by the client; the verifier is sent in step 5 (PKCE, RFC 7636 §4.2)',
  code_challenge_method: 'S256: the only method Latchkey accepts (RFC 9700 §2.1.1)',
};

function message(kind: 'request' | 'response', wire: WireMessage): JSX.Element {
  const text = [wire.startLine, ...wire.headers.map(([name, value]) => `${name}: ${value}`)].join('\n') + (wire.body === '' ? '' : `\n\n${wire.body}`);
  return (
    <div class={`wire wire-${kind}`}>
      <p class="wire-label">{kind === 'request' ? 'Request' : 'Response'}</p>
      <pre tabindex="0" aria-label={`HTTP ${kind}`}>
        <code>{e(text)}</code>
      </pre>
    </div>
  );
}

function ExchangeView({ exchange }: { exchange: Exchange }): JSX.Element {
  const status = exchange.response?.status;
  return (
    <figure class="exchange" data-title={exchange.title} data-status={status === undefined ? 'none' : String(status)}>
      <figcaption>
        {e(exchange.title)}{' '}
        {status === undefined ? '' : <span class={`status ${status < 300 ? 'status-ok' : 'status-error'}`}>{e(String(status))}</span>}
      </figcaption>
      <div class="wire-pair">
        {message('request', exchange.request)}
        {exchange.response === undefined ? <p class="error">No response: {e(exchange.error ?? 'unknown error')}</p> : message('response', exchange.response)}
      </div>
    </figure>
  );
}

function Checks({ checks }: { checks: readonly { what: string; ok: boolean; detail: string }[] }): JSX.Element {
  return (
    <ul class="checks">
      {checks.map((check) => (
        <li class={check.ok ? 'check-ok' : 'check-failed'} data-ok={String(check.ok)}>
          <span class="check-mark" aria-hidden="true">
            {check.ok ? '✓' : '✗'}
          </span>
          <span class="visually-hidden">{check.ok ? 'passed: ' : 'failed: '}</span>
          {e(check.what)} <span class="detail">({e(check.detail)})</span>
        </li>
      ))}
    </ul>
  );
}

function Claims({ claims, label }: { claims: Record<string, unknown>; label: string }): JSX.Element {
  return (
    <table class="claims" aria-label={label}>
      <caption>{e(label)}</caption>
      <thead>
        <tr>
          <th scope="col">claim</th>
          <th scope="col">value</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(claims).map(([name, value]) => (
          <tr data-claim={name}>
            <th scope="row">
              <code>{e(name)}</code>
            </th>
            <td>
              <code>{e(typeof value === 'number' && ['exp', 'iat', 'nbf', 'auth_time'].includes(name) ? `${value} (${new Date(value * 1000).toISOString()})` : value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Action({ step, label, enabled }: { step: number; label: string; enabled: boolean }): JSX.Element {
  return (
    <form method="post" action={`/steps/${step}`} class="action">
      <button type="submit" disabled={!enabled}>
        {e(label)}
      </button>
    </form>
  );
}

interface PanelProps {
  readonly step: number;
  readonly title: string;
  readonly spec: string;
  readonly status: 'done' | 'next' | 'later';
  readonly children?: JSX.Element | JSX.Element[];
}

function Panel({ step, title, spec, status, children }: PanelProps): JSX.Element {
  return (
    <section id={`step-${step}`} class={`panel panel-${status}`} aria-labelledby={`step-${step}-title`} data-state={status}>
      <header class="panel-header">
        <span class="step-number" aria-hidden="true">
          {String(step)}
        </span>
        <h2 id={`step-${step}-title`}>
          <span class="visually-hidden">Step {String(step)}: </span>
          {e(title)}
        </h2>
        <span class={`badge badge-${status}`}>{status === 'done' ? 'done' : status === 'next' ? 'next step' : 'not yet'}</span>
      </header>
      <p class="spec">{e(spec)}</p>
      {children ?? ''}
    </section>
  );
}

function ErrorNote({ state, step }: { state: FlowState; step: number }): JSX.Element {
  return state.error?.step === step ? (
    <p class="error" role="alert">
      {e(state.error.message)}
    </p>
  ) : (
    ''
  );
}

const STEP_TITLES = ['Registration', 'Authorization request', 'Login and consent', 'Callback', 'Token request', 'Tokens', 'API call', 'Refresh', 'Revocation', 'Logout'];

/** Which steps are done, in order; the first one not done is next. */
function progress(state: FlowState): boolean[] {
  return [
    true,
    state.authorization !== undefined,
    state.callback !== undefined,
    state.callback?.code !== undefined,
    state.tokens !== undefined,
    state.decoded !== undefined,
    (state.apiCalls?.length ?? 0) > 0,
    state.refresh !== undefined,
    state.revocation !== undefined,
    state.logout !== undefined,
  ];
}

export function ExplorerPage({ setup, state, username }: PageContext): string {
  const done = progress(state);
  const next = done.indexOf(false);
  const status = (step: number): 'done' | 'next' | 'later' => (done[step - 1] ? 'done' : step - 1 === next ? 'next' : 'later');
  const ready = (step: number): boolean => done[step - 2] === true;
  const registration = { ...setup.registration, client_secret: '•••••••• (shown once by the CLI; only its hash is stored)' };
  const { decoded, refresh, revocation, callback, tokens } = state;

  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Latchkey flow explorer</title>
          <link rel="stylesheet" href="/explorer.css" />
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to the steps
          </a>
          <header class="top">
            <h1>Latchkey flow explorer</h1>
            <p>
              OAuth 2.0 and OpenID Connect, one step at a time, against a real Latchkey at <a href={setup.issuer}>{e(setup.issuer)}</a>. Each panel shows the
              HTTP messages exactly as they went over the wire (secrets masked, tokens shortened).
            </p>
            <dl class="cast">
              <div>
                <dt>Authorization server</dt>
                <dd>
                  <code>{e(setup.issuer)}</code>
                </dd>
              </div>
              <div>
                <dt>This client (confidential)</dt>
                <dd>
                  <code>{e(setup.redirectUri.replace(/\/callback$/, ''))}</code>
                </dd>
              </div>
              <div>
                <dt>Protected API</dt>
                <dd>
                  <code>{e(setup.apiUrl)}</code>
                </dd>
              </div>
              <div>
                <dt>Demo user</dt>
                <dd>
                  <code>{e(username)}</code>, password printed in the terminal
                </dd>
              </div>
            </dl>
            <nav aria-label="Steps">
              <ol class="steps">
                {STEP_TITLES.map((title, index) => (
                  <li class={`step-${status(index + 1)}`}>
                    <a href={`#step-${index + 1}`}>
                      {String(index + 1)} · {e(title)}
                      <span class="visually-hidden"> ({status(index + 1) === 'done' ? 'done' : status(index + 1) === 'next' ? 'next step' : 'not yet'})</span>
                    </a>
                  </li>
                )).join('')}
              </ol>
            </nav>
            <form method="post" action="/reset" class="action">
              <button type="submit" class="secondary">
                Start over
              </button>
            </form>
          </header>
          <main id="main">
            <Panel step={1} title="Client registration" spec="RFC 7591 metadata · RFC 8414 discovery" status={status(1)}>
              <p>
                The client was registered by the operator with the CLI: <code>{e(setup.registrationCommand)}</code>. It then read Latchkey's metadata to
                find its endpoints.
              </p>
              <pre tabindex="0" aria-label="the registered client" class="json">
                <code>{e(registration)}</code>
              </pre>
              <ExchangeView exchange={setup.discovery} />
            </Panel>

            <Panel step={2} title="The authorization request" spec="RFC 6749 §4.1.1 · RFC 7636 (PKCE) · OIDC Core §3.1.2.1" status={status(2)}>
              <p>The client builds a URL at Latchkey's authorization endpoint and sends the browser there.</p>
              <Action step={2} label="Build the authorization request" enabled={true} />
              {state.authorization === undefined ? (
                ''
              ) : (
                <>
                  <pre tabindex="0" aria-label="the authorization URL" class="url">
                    <code>{e(state.authorization.url)}</code>
                  </pre>
                  <table class="params" aria-label="authorization request parameters">
                    <thead>
                      <tr>
                        <th scope="col">parameter</th>
                        <th scope="col">value</th>
                        <th scope="col">why</th>
                      </tr>
                    </thead>
                    <tbody>
                      {state.authorization.params.map(([name, value]) => (
                        <tr data-param={name}>
                          <th scope="row">
                            <code>{e(name)}</code>
                          </th>
                          <td>
                            <code>{e(value)}</code>
                          </td>
                          <td>{e(PARAMETER_NOTES[name] ?? '')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
            </Panel>

            <Panel step={3} title="Login and consent, at Latchkey" spec="OIDC Core §3.1.2.3–4" status={status(3)}>
              <p>
                Your browser goes to Latchkey, which signs you in (user <code>{e(username)}</code>) and asks whether this client may have what it asked
                for. The client sees none of it: it only gets the browser back in step 4.
              </p>
              {state.authorization === undefined ? (
                <p class="hint">Build the authorization request first (step 2).</p>
              ) : (
                <>
                  <p>
                    <a class="button" id="sign-in" href={state.authorization.url}>
                      Sign in at Latchkey
                    </a>
                  </p>
                  <div class="wire">
                    <p class="wire-label">What your browser sends</p>
                    <pre tabindex="0" aria-label="the browser's request">
                      <code>{e(`GET ${new URL(state.authorization.url).pathname}${new URL(state.authorization.url).search} HTTP/1.1\nhost: ${new URL(state.authorization.url).host}`)}</code>
                    </pre>
                  </div>
                </>
              )}
            </Panel>

            <Panel step={4} title="The callback: code, state and iss" spec="RFC 6749 §4.1.2 · RFC 9207" status={status(4)}>
              <p>Latchkey redirects the browser back to the client's redirect URI with a one-time code. The client checks it came from this flow.</p>
              {callback === undefined ? (
                <p class="hint">Waiting for the browser to come back.</p>
              ) : (
                <>
                  <div class="wire">
                    <p class="wire-label">What the client received</p>
                    <pre tabindex="0" aria-label="the callback request">
                      <code>{e([callback.request.startLine, ...callback.request.headers.map(([name, value]) => `${name}: ${value}`)].join('\n'))}</code>
                    </pre>
                  </div>
                  <Checks checks={callback.checks} />
                </>
              )}
            </Panel>

            <Panel step={5} title="The token request" spec="RFC 6749 §4.1.3 · §2.3.1 · RFC 7636 §4.5" status={status(5)}>
              <p>The client sends the code and the PKCE verifier to the token endpoint, authenticating with its secret (HTTP Basic), back channel only.</p>
              <Action step={5} label="Exchange the code for tokens" enabled={ready(5)} />
              <ErrorNote state={state} step={5} />
              {state.tokenRequest === undefined ? '' : <ExchangeView exchange={state.tokenRequest} />}
            </Panel>

            <Panel step={6} title="The tokens, decoded" spec="RFC 6749 §5.1 · OIDC Core §3.1.3.7 · RFC 7662" status={status(6)}>
              <p>
                The ID Token is a signed JWT about the user, for the client. The access token is opaque (for the API, not for the client); the client can
                still ask Latchkey what it means by introspection.
              </p>
              <Action step={6} label="Decode and verify the tokens" enabled={ready(6)} />
              <ErrorNote state={state} step={6} />
              {decoded === undefined ? (
                ''
              ) : (
                <div class="tokens">
                  <h3>ID Token</h3>
                  {decoded.idTokenHeader === undefined ? <p>No ID Token.</p> : <Claims claims={decoded.idTokenHeader} label="ID Token header" />}
                  {decoded.idTokenClaims === undefined ? '' : <Claims claims={decoded.idTokenClaims as Record<string, unknown>} label="ID Token claims" />}
                  <Checks checks={decoded.idTokenChecks} />
                  <h3>Access token</h3>
                  <p>
                    <code>{e(tokens === undefined ? '' : shorten(tokens.accessToken))}</code>: opaque, so the client asks Latchkey (RFC 7662).
                  </p>
                  {decoded.accessTokenClaims === undefined ? '' : <Claims claims={decoded.accessTokenClaims} label="access token claims (introspection)" />}
                  <ExchangeView exchange={decoded.introspection} />
                </div>
              )}
            </Panel>

            <Panel step={7} title="Calling the API" spec="RFC 6750 §2.1 · RFC 7662 at the API" status={status(7)}>
              <p>
                The client sends the access token to the notes API, which uses <code>latchkey/resource</code>: it introspects the token, checks its
                audience and the <code>notes:read</code> scope, and answers.
              </p>
              <Action step={7} label="Call GET /api/notes" enabled={ready(7)} />
              <ErrorNote state={state} step={7} />
              {(state.apiCalls ?? []).map((exchange) => <ExchangeView exchange={exchange} />).join('')}
            </Panel>

            <Panel step={8} title="Refresh" spec="RFC 6749 §6 · RFC 9700 §4.14.2 (rotation)" status={status(8)}>
              <p>When the access token expires, the client trades its refresh token for a new pair. Latchkey rotates: the old refresh token dies.</p>
              <Action step={8} label="Refresh the tokens" enabled={ready(8)} />
              <ErrorNote state={state} step={8} />
              {refresh === undefined ? (
                ''
              ) : (
                <>
                  <dl class="rotation">
                    <div>
                      <dt>old refresh token</dt>
                      <dd>
                        <code id="old-refresh-token">{e(refresh.oldRefreshToken)}</code>
                      </dd>
                    </div>
                    <div>
                      <dt>new refresh token</dt>
                      <dd>
                        <code id="new-refresh-token">{e(refresh.newRefreshToken ?? '(none)')}</code>
                      </dd>
                    </div>
                  </dl>
                  <ExchangeView exchange={refresh.exchange} />
                  {refresh.oldTokenCheck === undefined ? '' : <ExchangeView exchange={refresh.oldTokenCheck} />}
                  <p class="note">
                    The old token is checked by introspection, not by using it: presenting a rotated refresh token at /token is reuse, and Latchkey would
                    revoke the whole grant.
                  </p>
                </>
              )}
            </Panel>

            <Panel step={9} title="Revocation" spec="RFC 7009 §2 · RFC 6750 §3.1" status={status(9)}>
              <p>The client revokes its refresh token, which ends the whole grant: its access tokens die too. The API, asking Latchkey on every call, says 401.</p>
              <Action step={9} label="Revoke, then call the API again" enabled={ready(9)} />
              <ErrorNote state={state} step={9} />
              {revocation === undefined ? (
                ''
              ) : (
                <>
                  <ExchangeView exchange={revocation.exchange} />
                  <ExchangeView exchange={revocation.apiAfter} />
                </>
              )}
            </Panel>

            <Panel step={10} title="Logout" spec="OpenID Connect RP-Initiated Logout 1.0" status={status(10)}>
              {setup.metadata.end_session_endpoint === undefined ? (
                <>
                  <p class="unavailable" id="logout-unavailable">
                    logout: not available in this server version
                  </p>
                  <p>Latchkey's discovery document has no end_session_endpoint. The button below ends the client's own session only.</p>
                  <Action step={10} label="End the client's session" enabled={ready(10)} />
                </>
              ) : (
                <>
                  <p>
                    The client sends the browser to Latchkey's end_session_endpoint (<code>{e(setup.metadata.end_session_endpoint)}</code>) with the ID
                    Token as a hint; Latchkey ends the session and sends the browser back.
                  </p>
                  <Action step={10} label="Log out at Latchkey" enabled={ready(10)} />
                </>
              )}
              <ErrorNote state={state} step={10} />
              {state.logout?.url === undefined ? '' : (
                <pre tabindex="0" aria-label="the logout URL" class="url">
                  <code>{e(state.logout.url)}</code>
                </pre>
              )}
              {state.logout?.returned === undefined ? '' : (
                <div class="wire">
                  <p class="wire-label">What the client received</p>
                  <pre tabindex="0" aria-label="the logout callback">
                    <code>{e(state.logout.returned.startLine)}</code>
                  </pre>
                </div>
              )}
              {state.logout === undefined ? '' : <p class="done-note">The flow is complete. Start over to run it again.</p>}
            </Panel>
          </main>
          <footer class="bottom">
            <p>
              Latchkey demo · a confidential client with code + PKCE · see <code>docs/quickstart.md</code>
            </p>
          </footer>
        </body>
      </html>
    </>
  ) as string;
}
