// The metrics Latchkey serves at GET /metrics on the admin listener (issue 10 item 5): requests and latency per route
// and outcome, tokens issued, security events, rate limiting, the database pool, the event loop and the process.
// Cheap on the hot path: a request resolves its histogram through two small maps and increments it.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEventRecord, AuditLog } from '../../storage/storage.js';
import { Registry, type Counter, type FamilySnapshot, type Histogram } from './prometheus.js';

/** Request latency buckets, in seconds: sub-millisecond for the cheap endpoints up to the shutdown timeout. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** The route label of a request no route matched (404): never the raw URL, so the label set stays bounded. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface DatabasePoolStats {
  /** Connections open (SQLite: 1). */
  readonly total: number;
  /** Open and not lent out (SQLite: 1 when no query or transaction holds the connection). */
  readonly idle: number;
  /** Queries or transactions waiting for a connection (SQLite: the lock's queue). */
  readonly waiting: number;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const LOGIN_FAILURE_REASONS = new Set(['unknown_account', 'disabled', 'wrong_password']);

/** The histograms of one route and method: by status class on the common path, by class and error code otherwise. */
interface RouteSeries {
  readonly byClass: (Histogram | undefined)[];
  readonly byError: Map<string, Histogram>;
}

interface IssuedCounters {
  readonly accessTokenOpaque: Counter;
  readonly accessTokenJwt: Counter;
  readonly refreshToken: Counter;
  readonly idToken: Counter;
}

export interface ServerMetricsOptions {
  /** The database pool's state, read at each scrape. */
  readonly databasePool?: () => DatabasePoolStats;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requestDuration = this.registry.histogram(
    'latchkey_http_request_duration_seconds',
    'HTTP requests by route pattern, method and outcome (status class; OAuth error code when there is one); _count is the request count',
    LATENCY_BUCKETS,
  );
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  private readonly rateLimitRejections = this.registry.counter('latchkey_rate_limit_rejections_total', 'Requests refused with 429 (rate limits, login throttling), by route pattern');
  private readonly rateLimited = new Map<string, Counter>();
  private readonly tokensIssuedFamily = this.registry.counter('latchkey_tokens_issued_total', 'Tokens issued at the token endpoint, by grant_type and token kind');
  private readonly tokensIssued = new Map<string, IssuedCounters>();
  private readonly loginFailures = this.registry.counter('latchkey_login_failures_total', 'Failed password logins, by reason');
  private readonly refreshReuse = this.registry.counter('latchkey_refresh_token_reuse_detected_total', 'Rotated refresh tokens presented again (the family was revoked; RFC 9700 §4.14.2)')();
  private readonly codeReuse = this.registry.counter('latchkey_authorization_code_reuse_detected_total', 'Authorization codes presented twice (the grant was revoked; RFC 6749 §4.1.2)')();
  private readonly eventLoop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(options: ServerMetricsOptions = {}) {
    this.eventLoop.enable();
    const { databasePool } = options;
    if (databasePool !== undefined) {
      const pool = (field: keyof DatabasePoolStats) => (): [string, number][] => [['', databasePool()[field]]];
      this.registry.collected('latchkey_db_pool_connections', 'Database connections open (SQLite: the one connection)', 'gauge', pool('total'));
      this.registry.collected('latchkey_db_pool_idle_connections', 'Database connections open and idle', 'gauge', pool('idle'));
      this.registry.collected('latchkey_db_pool_waiting', 'Queries or transactions waiting for a database connection (SQLite: the lock queue)', 'gauge', pool('waiting'));
    }
    this.registerRuntime();
  }

  /** Called once per completed response (from the request log controller): no hook of its own. */
  observeRequest(request: FastifyRequest, reply: FastifyReply): void {
    this.observe(request.routeOptions.url ?? UNMATCHED_ROUTE, request.method, reply.statusCode, reply.elapsedTime / 1000, reply.oauthError);
  }

  /** One completed response of `route` (its pattern, never the raw URL); `error` is its OAuth error code, if any. */
  observe(route: string, method: string, status: number, seconds: number, error: string | null = null): void {
    let byMethod = this.routes.get(route);
    if (byMethod === undefined) this.routes.set(route, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (series === undefined) byMethod.set(method, (series = { byClass: [], byError: new Map() }));
    const classIndex = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    let histogram: Histogram | undefined;
    if (error === null) {
      histogram = series.byClass[classIndex];
      if (histogram === undefined) series.byClass[classIndex] = histogram = this.requestDuration({ route, method, status_class: STATUS_CLASSES[classIndex] });
    } else {
      const key = `${classIndex}:${error}`; // the error path only
      histogram = series.byError.get(key);
      if (histogram === undefined) series.byError.set(key, (histogram = this.requestDuration({ route, method, status_class: STATUS_CLASSES[classIndex], error })));
    }
    histogram.observe(seconds);
    if (status === 429) {
      let counter = this.rateLimited.get(route);
      if (counter === undefined) this.rateLimited.set(route, (counter = this.rateLimitRejections({ route })));
      counter.value++;
    }
  }

  /** A successful token response (RFC 6749 §5.1) for `grantType`: counts each token it carries. */
  observeTokensIssued(grantType: string, response: { readonly access_token?: unknown; readonly refresh_token?: unknown; readonly id_token?: unknown }): void {
    let counters = this.tokensIssued.get(grantType);
    if (counters === undefined) {
      const of = (kind: string): Counter => this.tokensIssuedFamily({ grant_type: grantType, token_kind: kind });
      counters = { accessTokenOpaque: of('access_token_opaque'), accessTokenJwt: of('access_token_jwt'), refreshToken: of('refresh_token'), idToken: of('id_token') };
      this.tokensIssued.set(grantType, counters);
    }
    const access = response.access_token;
    if (typeof access === 'string') (access.includes('.') ? counters.accessTokenJwt : counters.accessTokenOpaque).value++; // a JWS has dots; opaque tokens are base64url
    if (typeof response.refresh_token === 'string') counters.refreshToken.value++;
    if (typeof response.id_token === 'string') counters.idToken.value++;
  }

  /** Security events, as the audit log records them. */
  observeAuditEvent(event: AuditEventRecord): void {
    if (event.type === 'login.failed') {
      const reason = event.details.reason;
      this.loginFailures({ reason: typeof reason === 'string' && LOGIN_FAILURE_REASONS.has(reason) ? reason : 'other' }).value++;
    } else if (event.type === 'refresh_token.reuse_detected') {
      this.refreshReuse.value++;
    } else if (event.type === 'code.reuse_detected') {
      this.codeReuse.value++;
    }
  }

  collect(): FamilySnapshot[] {
    return this.registry.collect();
  }

  close(): void {
    this.eventLoop.disable();
  }

  /** process_* as the Prometheus client libraries name them; nodejs_eventloop_lag_* as prom-client does. */
  private registerRuntime(): void {
    const { registry, eventLoop } = this;
    const cpu = (field: 'user' | 'system' | 'total') => (): [string, number][] => {
      const usage = process.cpuUsage();
      return [['', (field === 'user' ? usage.user : field === 'system' ? usage.system : usage.user + usage.system) / 1e6]];
    };
    registry.collected('process_cpu_user_seconds_total', 'User CPU time spent, in seconds', 'counter', cpu('user'));
    registry.collected('process_cpu_system_seconds_total', 'System CPU time spent, in seconds', 'counter', cpu('system'));
    registry.collected('process_cpu_seconds_total', 'Total user and system CPU time spent, in seconds', 'counter', cpu('total'));
    registry.collected('process_resident_memory_bytes', 'Resident memory size, in bytes', 'gauge', () => [['', process.memoryUsage.rss()]]);
    registry.collected('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds', 'gauge', () => [['', Math.round(performance.timeOrigin / 1000)]]);
    registry.collected('nodejs_heap_size_used_bytes', 'V8 heap used, in bytes', 'gauge', () => [['', process.memoryUsage().heapUsed]]);
    // The delay histogram covers the time since the previous scrape: read every statistic, then reset it once.
    let snapshot = { min: 0, max: 0, mean: 0, p50: 0, p90: 0, p99: 0 };
    const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const lag = (field: keyof typeof snapshot, first = false) => (): [string, number][] => {
      if (first) {
        snapshot = { min: seconds(eventLoop.min), max: seconds(eventLoop.max), mean: seconds(eventLoop.mean), p50: seconds(eventLoop.percentile(50)), p90: seconds(eventLoop.percentile(90)), p99: seconds(eventLoop.percentile(99)) };
        eventLoop.reset();
      }
      return [['', snapshot[field]]];
    };
    registry.collected('nodejs_eventloop_lag_p99_seconds', 'Event loop delay, 99th percentile since the previous scrape, in seconds', 'gauge', lag('p99', true));
    registry.collected('nodejs_eventloop_lag_p90_seconds', 'Event loop delay, 90th percentile since the previous scrape, in seconds', 'gauge', lag('p90'));
    registry.collected('nodejs_eventloop_lag_p50_seconds', 'Event loop delay, median since the previous scrape, in seconds', 'gauge', lag('p50'));
    registry.collected('nodejs_eventloop_lag_mean_seconds', 'Event loop delay, mean since the previous scrape, in seconds', 'gauge', lag('mean'));
    registry.collected('nodejs_eventloop_lag_max_seconds', 'Event loop delay, maximum since the previous scrape, in seconds', 'gauge', lag('max'));
    registry.collected('nodejs_eventloop_lag_min_seconds', 'Event loop delay, minimum since the previous scrape, in seconds', 'gauge', lag('min'));
  }
}

/** The audit log, also counting the security events it records (only once the record is written). */
export function countAuditEvents(audit: AuditLog, metrics: ServerMetrics): AuditLog {
  return {
    async record(event) {
      await audit.record(event);
      metrics.observeAuditEvent(event);
    },
    list: (query) => audit.list(query),
  };
}
