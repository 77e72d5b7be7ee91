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

export interface Database {
  signing_keys: SigningKeysTable;
  replay_records: ReplayRecordsTable;
}
