// config/ owns what the collector reads at start: this schema and loader, the generated sample, TLS material, the
// plain-HTTP listen check, durations, and the one schema-error formatter every loaded file's errors go through.
//
// Collector configuration: one TypeBox schema (types, defaults and descriptions in one declaration), loaded from
// an optional YAML file, then overridden key by key from the environment, then validated. Every key has an
// environment variable derived from its path: influx.batchSize -> WATCHPOST_INFLUX_BATCH_SIZE. A few documented
// short names (DESIGN.md) are aliases: WATCHPOST_INFLUX_DB for influx.database.
import { Type, type Static, type TSchema, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError } from '../errors.js';
import { DURATION, schemaProblem } from './schema-errors.js';
import { readYamlFile } from './yaml-file.js';
import { DEFAULT_SERIES_PER_AGENT, DEFAULT_SERIES_PER_MEASUREMENT, DEFAULT_SERIES_WINDOW } from '../agent-link/admission/series-budget.js';

const Duration = (description: string, def: string) => Type.String({ ...DURATION, pattern: '^[0-9]+(ms|s|m|h|d)$', description, default: def });

export const ConfigSchema = Type.Object(
  {
    listen: Type.String({
      description: 'host:port the HTTP and WebSocket server listens on',
      pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$',
      expected: 'host:port (an IPv6 address in brackets)',
      default: '127.0.0.1:8420',
    }),
    dataDir: Type.String({
      description: 'directory for the state store (SQLite: tenants, tokens, agents)',
      minLength: 1,
      default: './watchpost-data',
    }),
    store: Type.Object(
      {
        url: Type.String({
          description:
            'PostgreSQL URL of the state store shared by several collectors (postgres://user:password@host:5432/db; libpq parameters such as sslmode in the query); empty: the SQLite file in dataDir (one collector)',
          pattern: '^(postgres(ql)?://.+)?$',
          expected: 'empty, or a postgres:// URL',
          default: '',
        }),
      },
      { default: {} },
    ),
    adminKey: Type.String({
      description:
        'bootstrap bearer key for the HTTP API, or its SHA-256 as "sha256:<64 hex>" so the file holds no plaintext; empty: only keys from `api-key create`',
      // A value that starts with "sha256:" must be a whole digest, so a typo cannot become a plaintext key.
      pattern: '^(sha256:[0-9a-fA-F]{64}|(?!sha256:).*)$',
      expected: 'a key, or "sha256:" and 64 hex digits',
      default: '',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { description: 'log level', default: 'info' },
    ),
    influx: Type.Object(
      {
        url: Type.String({
          description: 'InfluxDB 1.x base URL',
          pattern: '^https?://',
          expected: 'an http:// or https:// URL',
          default: 'http://127.0.0.1:8086',
        }),
        database: Type.String({ description: 'database name', minLength: 1, default: 'watchpost' }),
        retentionPolicy: Type.String({
          description:
            'retention policy raw points are written to, set to influx.retention and made the default (autogen: the one Telegraf dashboards name); the former default "watchpost_raw" is deprecated: it means autogen, with a warning, and the points left in it are moved there',
          minLength: 1,
          default: 'autogen',
        }),
        retention: Duration('how long raw points are kept (0s: forever)', '30d'),
        batchSize: Type.Integer({ description: 'points per write request', minimum: 1, maximum: 100_000, default: 5000 }),
        flushInterval: Duration('longest time a point waits for its batch', '1s'),
      },
      { default: {} },
    ),
    agents: Type.Object(
      {
        maxPayloadBytes: Type.Integer({
          description: 'largest WebSocket frame accepted from an agent',
          minimum: 1024,
          maximum: 64 * 1024 * 1024,
          default: 1024 * 1024,
        }),
        heartbeat: Duration('WebSocket ping interval; an agent that misses a pong is disconnected', '30s'),
        allowPlainRemote: Type.Boolean({
          description: 'allow plain ws/http on a non-loopback listen address (only behind a TLS-terminating proxy)',
          default: false,
        }),
        proxyProtocol: Type.Boolean({
          description:
            "every connection starts with a PROXY protocol header (v1 or v2, HAProxy's send-proxy-v2) that names the client, whose address per-IP limits and logs then use; one without it is closed. Only when nothing but the balancer can reach the listener: a direct client could claim any address",
          default: false,
        }),
        framesPerSecond: Type.Number({ description: 'frames per second one agent may send, on average', exclusiveMinimum: 0, default: 20 }),
        frameBurst: Type.Integer({ description: 'frames one agent may send at once above that rate before it is closed (1008)', minimum: 1, default: 200 }),
        bytesPerSecond: Type.Integer({ description: 'bytes per second one agent may send, on average', minimum: 1, default: 2 * 1024 * 1024 }),
        byteBurst: Type.Integer({
          description: 'bytes one agent may send at once above that rate (raised to maxPayloadBytes if lower)',
          minimum: 1,
          default: 16 * 1024 * 1024,
        }),
        seriesPerMeasurement: Type.Integer({
          description: 'series (tag sets) one agent may have in one measurement; a sample that would add one more is refused (series_budget) and counted',
          minimum: 1,
          default: DEFAULT_SERIES_PER_MEASUREMENT,
        }),
        seriesPerAgent: Type.Integer({
          description: 'series one agent may have over all its measurements; beyond, new series are refused like above',
          minimum: 1,
          default: DEFAULT_SERIES_PER_AGENT,
        }),
        seriesWindow: Duration(
          "a series no point of which came for this long stops counting against its agent's budget (0s: never); counts start afresh when the collector restarts",
          DEFAULT_SERIES_WINDOW,
        ),
      },
      { default: {} },
    ),
    limits: Type.Object(
      {
        ipAttemptsPerSecond: Type.Number({
          description: 'WebSocket upgrades, enrollments, deployment scripts and release downloads per second from one source IP, on average',
          exclusiveMinimum: 0,
          default: 5,
        }),
        ipAttemptBurst: Type.Integer({ description: 'of those, how many one source IP may make at once (then 429)', minimum: 1, default: 100 }),
        ipMaxPendingConnections: Type.Integer({
          description: 'open connections per source IP that have not (yet) authenticated as an agent; more are cut at once',
          minimum: 1,
          default: 64,
        }),
      },
      { default: {} },
    ),
    http: Type.Object(
      {
        headersTimeout: Duration('longest time a client may take to send its request headers', '10s'),
        firstRequestTimeout: Duration(
          'longest time a new connection (a TLS one: after its handshake) may stay open without sending a byte; then it is closed (0s: never)',
          '10s',
        ),
        requestTimeout: Duration('longest time a client may take to send a whole request', '30s'),
        keepAliveTimeout: Duration('how long an idle keep-alive connection stays open', '5s'),
      },
      { default: {} },
    ),
    policy: Type.Object(
      {
        file: Type.String({
          description: 'YAML file of probe schedules (fleet, per tenant, per host) pushed to agents; reloaded on SIGHUP; empty: agents keep their defaults',
          default: '',
        }),
      },
      { default: {} },
    ),
    rules: Type.Object(
      {
        file: Type.String({
          description:
            'YAML rules file layered over the shipped default pack (collector/data/rules.yaml): rules, per-tenant and per-host overrides, priority matrix, SLA profiles, calendars; reloaded on SIGHUP (a bad file keeps the rules in force); empty: the default pack alone',
          default: '',
        }),
        defaults: Type.Boolean({ description: 'layer the file over the shipped default pack (false: the file alone)', default: true }),
      },
      { default: {} },
    ),
    desks: Type.Object(
      {
        file: Type.String({
          description:
            'YAML file of service desks (webhook, email, ConnectWise, Autotask, HaloPSA, Jira SM, ServiceNow) and which tenant goes to which, with its mapping; secrets as ${ENV_VAR}; validated at start, reloaded on SIGHUP (a bad file keeps the desks in force); empty: tickets stay in Watchpost',
          default: '',
        }),
      },
      { default: {} },
    ),
    lifecycle: Type.Object(
      {
        file: Type.String({
          description:
            'YAML end-of-support table for OS support status (os_support points, GET /api/v1/agents); empty: the shipped collector/data/os-lifecycle.yaml',
          default: '',
        }),
      },
      { default: {} },
    ),
    server: Type.Object(
      {
        publicUrl: Type.String({
          description:
            'base URL endpoints use to reach this collector (behind a proxy or NAT), written into the deployment scripts and one-liners; empty: the URL the client used',
          pattern: '^(https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?)?$',
          expected: 'an http:// or https:// base URL, or empty',
          default: '',
        }),
      },
      { default: {} },
    ),
    releases: Type.Object(
      {
        dir: Type.String({
          description:
            'directory of agent releases (<dir>/<version>/manifest.json and its executables), offered to agents and served to the deployment scripts; reloaded on SIGHUP; empty: no releases',
          default: '',
        }),
        publicKey: Type.String({
          description:
            'release public key (SPKI PEM, from scripts/release-keygen.ts): every manifest signature is checked and a release that fails is never offered; empty: agents alone check',
          default: '',
        }),
      },
      { default: {} },
    ),
    updates: Type.Object(
      {
        file: Type.String({
          description:
            'YAML file of staged rollouts (per tenant: version, pilot hosts, percent); reloaded on SIGHUP (a bad file keeps the rollouts in force); empty: no update is offered',
          default: '',
        }),
      },
      { default: {} },
    ),
    tls: Type.Object(
      {
        cert: Type.String({ description: 'PEM certificate (chain) file; with tls.key, serves https and wss', default: '' }),
        key: Type.String({ description: 'PEM private key file for tls.cert', default: '' }),
      },
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Documented environment names that differ from the derived ones (DESIGN.md names WATCHPOST_INFLUX_DB). */
const ENV_NAMES: Record<string, string> = { 'influx.database': 'WATCHPOST_INFLUX_DB' };

/** influx.batchSize -> WATCHPOST_INFLUX_BATCH_SIZE */
export const envName = (path: string): string =>
  ENV_NAMES[path] ??
  'WATCHPOST_' +
    path
      .replace(/\./g, '_')
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toUpperCase();

/** Every leaf key of the schema with its dotted path. */
export function leafKeys(schema: TObject = ConfigSchema, prefix = ''): { path: string; schema: TSchema }[] {
  return Object.entries(schema.properties).flatMap(([key, child]) => {
    const path = prefix + key;
    return child.type === 'object' ? leafKeys(child as TObject, path + '.') : [{ path, schema: child }];
  });
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const key of leafKeys()) {
    const name = envName(key.path);
    const value = env[name];
    if (value === undefined || value === '') continue;
    const isNumber = key.schema.type === 'integer' || key.schema.type === 'number';
    const isBoolean = key.schema.type === 'boolean' && (value === 'true' || value === 'false');
    setPath(raw, key.path, isNumber && /^-?[0-9.]+$/.test(value) ? Number(value) : isBoolean ? value === 'true' : value);
  }
}

function readYaml(file: string): Record<string, unknown> {
  const doc = readYamlFile(file);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${file}: expected a mapping at the top level`);
  return doc as Record<string, unknown>;
}

/** Loads, overrides from the environment, applies defaults and validates. Throws ConfigError naming the key. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = options.env ?? process.env;
  const raw = options.file ? readYaml(options.file) : {};
  applyEnv(raw, env);
  const withDefaults = Value.Default(ConfigSchema, raw);
  // The value is left out of the message: a bad adminKey or a URL with a password must not reach a log.
  const problem = schemaProblem(ConfigSchema, withDefaults, { hideValue: true });
  if (problem) {
    const key = problem.path;
    const source = env[envName(key)] ? ` (from ${envName(key)})` : options.file ? ` (in ${options.file})` : '';
    throw new ConfigError(`${key}: ${problem.message}${source}`);
  }
  const config = withDefaults as Config;
  if (Boolean(config.tls.cert) !== Boolean(config.tls.key)) {
    const missing = config.tls.cert ? 'tls.key' : 'tls.cert';
    throw new ConfigError(`${missing}: required when ${missing === 'tls.key' ? 'tls.cert' : 'tls.key'} is set`);
  }
  return config;
}

/** Splits "host:port" (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:([0-9]+)$/.exec(listen);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new ConfigError(`listen: expected host:port, got "${listen}"`);
  return { host: match[1]!, port };
}
