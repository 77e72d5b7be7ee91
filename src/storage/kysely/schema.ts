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

export interface Database {
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  replay_records: ReplayRecordsTable;
  initial_access_tokens: InitialAccessTokensTable;
  rate_limits: RateLimitsTable;
  audit_events: AuditEventsTable;
}
