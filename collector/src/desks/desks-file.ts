// The desks file (`desks.file`): which service desks exist, and which tenant's tickets go to which, with the
// tenant's mapping (company, board, queue ...). Secrets are written as ${ENV_VAR} and expanded at load, so the
// file itself can be committed. Validated at start (and on SIGHUP) against each connector type's schema; a bad key
// is refused naming the file and its path.
//
//   desks:
//     halo:                          # a desk: its type, connection and default mapping
//       type: halopsa
//       url: https://acme-msp.halopsa.com
//       client_id: watchpost
//       client_secret: ${HALO_SECRET}
//       events: [opened, escalated, resolved, reopened, sla_breached]   # default: every event
//       inbound: { auth: basic, secret: ${HALO_PUSH_SECRET} }            # changes made in Halo come back (inbound/)
//     at:
//       type: autotask
//       ...
//       inbound: { poll: 5m }         # no push set up: its tickets are read every 5 minutes (inbound/poll.ts)
//   default_desks: [ { desk: halo } ] # tenants not listed below
//   tenants:
//     acme:
//       desks: [ { desk: halo, client: 12, site: 34 } ]               # keys here override the desk's for acme
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseDuration } from '../config/duration.js';
import { firstSchemaError } from '../config/schema-errors.js';
import type { ConnectorType, DeskEventKind } from './contract.js';
import { connectorType, CONNECTOR_TYPES } from './connectors/index.js';
import { DEFAULT_POLL_MAX, InboundSchema, MIN_POLL_MS, type InboundSettings, type InboundVendor } from './inbound/contract.js';
import { inboundVendor, INBOUND_VENDORS } from './inbound/index.js';

export const DESK_EVENT_KINDS: readonly DeskEventKind[] = [
  'opened',
  'updated',
  'escalated',
  'deescalated',
  'reopened',
  'note',
  'acknowledged',
  'plan',
  'resolved',
  'sla_approaching',
  'sla_breached',
];

const Events = (description: string) => Type.Array(Type.Union(DESK_EVENT_KINDS.map((k) => Type.Literal(k))), { uniqueItems: true, description });
const DeskName = Type.String({ pattern: '^[a-z][a-z0-9_-]*$', description: 'a desk named under desks' });
const Route = Type.Object(
  { desk: DeskName, events: Type.Optional(Events("the events this tenant sends to the desk (default: the desk's events)")) },
  { additionalProperties: true },
);
/** A desk's own keys; the rest of its settings are its connector type's (CONNECTOR_TYPES[type].schema). */
export const DESK_KEYS = {
  type: Type.String({ description: 'the connector type, a key of desks/connectors/index.ts' }),
  events: Type.Optional(Events('the events this desk takes (default: every event)')),
  concurrency: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 32,
      description: "tickets delivered to this desk at once (default: the vendor's documented limit, Autotask 3, else 4)",
    }),
  ),
  inbound: Type.Optional(InboundSchema),
};
/** Tickets in flight per desk when neither the desk nor its connector type names a limit. */
export const DEFAULT_DESK_CONCURRENCY = 4;
export const DesksFileSchema = Type.Object(
  {
    desks: Type.Optional(
      Type.Record(Type.String(), Type.Object(DESK_KEYS, { additionalProperties: true }), {
        description: 'the service desks, by name (lower-case letters, digits, - and _): type, connection and default mapping',
      }),
    ),
    default_desks: Type.Optional(
      Type.Array(Route, { description: 'where the tickets of tenants not listed under tenants go', examples: [[{ desk: 'webhook' }]] }),
    ),
    tenants: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            desks: Type.Array(Route, {
              description: "the desks this tenant's tickets go to; keys beside `desk` override that desk's settings for this tenant (its mapping)",
            }),
          },
          { additionalProperties: false, description: 'a tenant, by id' },
        ),
        { description: 'per tenant: its desks, instead of default_desks' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** One desk as one tenant uses it: validated settings and the events it takes. */
export interface DeskRoute {
  desk: string;
  type: string;
  connector: ConnectorType<Record<string, unknown>>;
  settings: Record<string, unknown>;
  events: ReadonlySet<DeskEventKind>;
  /** Secret values of the settings (to redact from logs). */
  secrets: readonly string[];
}

/** A desk whose changes come back: by its own push (POST /api/v1/desks/<desk>/inbound), by polling, or both. */
export interface DeskInbound {
  desk: string;
  type: string;
  vendor: InboundVendor;
  settings: InboundSettings;
  /** The desk's `url` setting, when it has one (ConnectWise: where its signing key may be fetched from). */
  url?: string;
  /** Whether pushes are taken: false for a block that only sets up polling (then every push is refused). When
   *  absent (test doubles), pushes are taken. */
  push?: boolean;
  /** Polling, when the block has `poll`: the interval and the tickets read per pass. */
  poll?: { everyMs: number; max: number };
}

export interface DeskSet {
  /** The desks a tenant's tickets go to. */
  routes(tenant: string): readonly DeskRoute[];
  /** A tenant's route to one desk, if it has one. */
  route(desk: string, tenant: string): DeskRoute | undefined;
  names(): readonly string[];
  /** The tenants the file lists under `tenants:`, in file order (every other tenant takes the default routes). */
  tenants(): readonly string[];
  /** The routes of tenants the file does not list (`default_desks`). */
  defaultRoutes(): readonly DeskRoute[];
  /** Tickets the dispatcher may deliver to this desk at once. */
  concurrency(desk: string): number;
  /** The desk's inbound settings, when it has an `inbound:` block (optional: test doubles may leave it out). */
  inbound?(desk: string): DeskInbound | undefined;
  /** A desk's own settings, no tenant's keys over them, checked as a route's are (on first use: a desk no tenant
   *  routes to, such as one that only mails reports, is read here); undefined for an unknown name. Throws
   *  ConfigError naming the file and key. Optional: test doubles may leave it out. */
  desk?(name: string): DeskRoute | undefined;
}

export const NO_DESKS: DeskSet = {
  routes: () => [],
  route: () => undefined,
  names: () => [],
  tenants: () => [],
  defaultRoutes: () => [],
  concurrency: () => DEFAULT_DESK_CONCURRENCY,
};

const SECRET_KEY = /secret|password|token|private_key|api_key|client_id|integration_code/i;

/** Replaces ${VAR} in every string by the environment's value; a missing variable names the key. */
function expand(value: unknown, path: string, env: NodeJS.ProcessEnv, secrets: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new ConfigError(`${path}: environment variable ${name} is not set`);
      secrets.push(v);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expand(v, `${path}[${i}]`, env, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, `${path}.${k}`, env, secrets)]));
  return value;
}

/** A schema error naming the key, without the value: settings hold secrets (expanded from the environment). */
function schemaError(schema: TSchema, value: unknown, at: string): ConfigError | null {
  const problem = firstSchemaError(schema, value, { at, hideValue: true });
  return problem ? new ConfigError(problem) : null;
}

type RawDesk = { type: string; events?: DeskEventKind[]; concurrency?: number; inbound?: InboundSettings } & Record<string, unknown>;
type RawRoute = Static<typeof Route>;

function compileRoute(raw: RawRoute, desks: Record<string, RawDesk>, path: string, env: NodeJS.ProcessEnv): DeskRoute {
  const base = desks[raw.desk];
  if (!base) throw new ConfigError(`${path}.desk: unknown desk "${raw.desk}" (desks: ${Object.keys(desks).join(', ') || 'none'})`);
  const connector = connectorType(base.type);
  if (!connector) throw new ConfigError(`desks.${raw.desk}.type: unknown type "${base.type}" (known: ${Object.keys(CONNECTOR_TYPES).join(', ')})`);
  const { type: _type, events: deskEvents, concurrency: _concurrency, inbound: _inbound, ...deskSettings } = base;
  const { desk: _desk, events: routeEvents, ...overrides } = raw;
  const secrets: string[] = [];
  const settings = expand({ ...deskSettings, ...overrides }, path, env, secrets) as Record<string, unknown>;
  const bad = schemaError(connector.schema, settings, path);
  if (bad) throw bad;
  connector.check?.(settings, path);
  for (const [k, v] of Object.entries(settings)) if (SECRET_KEY.test(k) && typeof v === 'string') secrets.push(v);
  const events = new Set<DeskEventKind>([...(routeEvents ?? deskEvents ?? DESK_EVENT_KINDS), ...(connector.alwaysSend ?? [])]);
  return { desk: raw.desk, type: base.type, connector, settings, events, secrets };
}

/** Parses a desks file's text; `source` names it in errors. */
export function parseDesks(text: string, source: string, env: NodeJS.ProcessEnv = process.env): DeskSet {
  const at = (error: unknown): never => {
    throw error instanceof ConfigError ? new ConfigError(`${source}: ${error.message}`) : error;
  };
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${source}: not YAML: ${(error as Error).message}`);
  }
  const bad = schemaError(DesksFileSchema, raw, '');
  if (bad) at(bad);
  const file = raw as Static<typeof DesksFileSchema>;
  const desks = (file.desks ?? {}) as Record<string, RawDesk>;
  const byTenant = new Map<string, DeskRoute[]>();
  let defaults: DeskRoute[] = [];
  try {
    defaults = (file.default_desks ?? []).map((r, i) => compileRoute(r, desks, `default_desks[${i}]`, env));
    for (const [tenant, t] of Object.entries(file.tenants ?? {}))
      byTenant.set(
        tenant,
        t.desks.map((r, i) => compileRoute(r, desks, `tenants.${tenant}.desks[${i}]`, env)),
      );
  } catch (error) {
    at(error);
  }
  let inbound = new Map<string, DeskInbound>();
  try {
    inbound = compileInbound(desks, env);
  } catch (error) {
    at(error);
  }
  const routes = (tenant: string) => byTenant.get(tenant) ?? defaults;
  const own = new Map<string, DeskRoute>();
  const desk = (name: string): DeskRoute | undefined => {
    if (!Object.hasOwn(desks, name)) return undefined;
    let found = own.get(name);
    if (!found) {
      try {
        own.set(name, (found = compileRoute({ desk: name }, desks, `desks.${name}`, env)));
      } catch (error) {
        return at(error);
      }
    }
    return found;
  };
  return {
    desk,
    inbound: (desk) => inbound.get(desk),
    routes,
    route: (desk, tenant) => routes(tenant).find((r) => r.desk === desk),
    names: () => Object.keys(desks),
    tenants: () => [...byTenant.keys()],
    defaultRoutes: () => defaults,
    concurrency: (desk) => desks[desk]?.concurrency ?? connectorType(desks[desk]?.type ?? '')?.defaultConcurrency ?? DEFAULT_DESK_CONCURRENCY,
  };
}

/** The keys of an inbound block that set up the push: a block with none of them (and poll) only polls. */
const PUSH_KEYS = ['auth', 'secret', 'user', 'header', 'key_host'] as const;

/** Each desk's `inbound:` block, its secrets expanded, checked against what its vendor's push and poll can do. */
function compileInbound(desks: Record<string, RawDesk>, env: NodeJS.ProcessEnv): Map<string, DeskInbound> {
  const out = new Map<string, DeskInbound>();
  for (const [desk, raw] of Object.entries(desks)) {
    if (!raw.inbound) continue;
    const path = `desks.${desk}.inbound`;
    const vendor = inboundVendor(raw.type);
    if (!vendor)
      throw new ConfigError(`${path}: a ${raw.type} desk has no push or poll Watchpost reads (desks with one: ${Object.keys(INBOUND_VENDORS).join(', ')})`);
    const settings = expand(raw.inbound, path, env, []) as InboundSettings;
    let poll: DeskInbound['poll'];
    if (settings.poll !== undefined) {
      if (!vendor.poll) throw new ConfigError(`${path}.poll: a ${raw.type} desk cannot be polled`);
      const everyMs = parseDuration(settings.poll);
      if (everyMs < MIN_POLL_MS) throw new ConfigError(`${path}.poll: at least 1m (a desk's API limits are per minute or per hour); got ${settings.poll}`);
      poll = { everyMs, max: settings.poll_max ?? DEFAULT_POLL_MAX };
    }
    const url = typeof raw.url === 'string' ? (expand(raw.url, `desks.${desk}.url`, env, []) as string) : undefined;
    if (poll && !PUSH_KEYS.some((k) => settings[k] !== undefined)) {
      out.set(desk, { desk, type: raw.type, vendor, settings, push: false, poll, ...(url ? { url } : {}) });
      continue;
    }
    const scheme = settings.auth ?? vendor.schemes[0]!;
    if (!vendor.schemes.includes(scheme)) throw new ConfigError(`${path}.auth: ${raw.type} pushes can use ${vendor.schemes.join(', ')}; got ${scheme}`);
    const cwSignature = raw.type === 'connectwise' && scheme === 'signature';
    if (!cwSignature && !settings.secret) throw new ConfigError(`${path}.secret: required with auth ${scheme} (write it as \${ENV_VAR})`);
    if (scheme === 'header' && !settings.header) throw new ConfigError(`${path}.header: required with auth header (the header that holds the secret)`);
    out.set(desk, { desk, type: raw.type, vendor, settings: { ...settings, auth: scheme }, push: true, ...(poll ? { poll } : {}), ...(url ? { url } : {}) });
  }
  return out;
}

export function loadDesks(file: string, env: NodeJS.ProcessEnv = process.env): DeskSet {
  if (!file) return NO_DESKS;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`desks.file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseDesks(text, file, env);
}
