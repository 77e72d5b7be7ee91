// Table shapes as Kysely sees them. Times are epoch milliseconds in BIGINT columns (parsed to numbers on PostgreSQL).

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: number;
  activates_at: number;
}

export interface ReplayRecordsTable {
  key: string;
  expires_at: number;
}

export interface ClientsTable {
  client_id: string;
  metadata: string;
  policy: string;
  secret_hash: string | null;
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
  sealed_secret: string | null;
  previous_sealed_secret: string | null;
  registration_access_token_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface GrantsTable {
  id: string;
  client_id: string;
  subject: string | null;
  /** Space-separated (RFC 6749 §3.3). */
  scope: string;
  /** JSON array of resource URIs. */
  resources: string;
  session_id: string | null;
  auth_time: number | null;
  acr: string | null;
  /** JSON array. */
  amr: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AccessTokensTable {
  id: string;
  format: string;
  client_id: string;
  grant_id: string | null;
  subject: string | null;
  scope: string;
  /** JSON array of audiences. */
  audience: string;
  dpop_jkt: string | null;
  issued_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** JSON of the RFC 8693 §4.1 act claim. */
  act: string | null;
}

export interface RefreshTokensTable {
  hash: string;
  grant_id: string;
  client_id: string;
  subject: string | null;
  scope: string;
  dpop_jkt: string | null;
  issued_at: number;
  expires_at: number;
  absolute_expires_at: number;
  rotated_at: number | null;
  successor_hash: string | null;
  revoked_at: number | null;
}

export interface InitialAccessTokensTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
  previous_count: number;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  type: string;
  actor: string;
  client_id: string | null;
  subject: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
}

export interface UsersTable {
  sub: string;
  username: string;
  email: string | null;
  email_normalized: string | null;
  email_verified: number;
  profile: string;
  password_hash: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id: string;
  secret_hash: string;
  subject: string;
  auth_time: number;
  amr: string;
  acr: string | null;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface ConsentsTable {
  subject: string;
  client_id: string;
  scope: string;
  updated_at: number;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  last_failure_at: number;
}

export interface InteractionsTable {
  id: string;
  binding_hash: string;
  csrf_token: string;
  request: string;
  session_id: string | null;
  account_confirmed: number;
  login_requested: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface AuthorizationCodesTable {
  hash: string;
  client_id: string;
  grant_id: string;
  subject: string;
  redirect_uri: string;
  redirect_uri_provided: number;
  code_challenge: string | null;
  nonce: string | null;
  /** RFC 9449 §10 (migration 0007). */
  dpop_jkt: string | null;
  scope: string;
  auth_time: number;
  acr: string | null;
  amr: string;
  session_id: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface PushedAuthorizationRequestsTable {
  hash: string;
  client_id: string;
  params: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface BackchannelLogoutsTable {
  id: string;
  client_id: string;
  subject: string | null;
  session_id: string | null;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number;
  delivered_at: number | null;
  failed_at: number | null;
  last_error: string | null;
}

export interface DeviceCodesTable {
  device_code_hash: string;
  user_code_hash: string;
  client_id: string;
  scope: string;
  status: string;
  interval_seconds: number;
  last_polled_at: number | null;
  grant_id: string | null;
  subject: string | null;
  session_id: string | null;
  auth_time: number | null;
  acr: string | null;
  amr: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  consents: ConsentsTable;
  login_failures: LoginFailuresTable;
  interactions: InteractionsTable;
  authorization_codes: AuthorizationCodesTable;
  pushed_authorization_requests: PushedAuthorizationRequestsTable;
  device_codes: DeviceCodesTable;
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  replay_records: ReplayRecordsTable;
  grants: GrantsTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  backchannel_logouts: BackchannelLogoutsTable;
  initial_access_tokens: InitialAccessTokensTable;
  rate_limits: RateLimitsTable;
  audit_events: AuditEventsTable;
}
