// The one catalogue of what the collector refuses and why. Every rejection has a stable reason (a metrics label
// and a log field), for WebSocket rejections a close code from the registered or private range, and for HTTP
// answers a status and a stable code (httpErrors). The error classes every part throws live here too.

export type RejectionReason =
  | 'unauthorized' // bad, unknown or revoked agent credential at the upgrade
  | 'bad_subprotocol' // no watchpost.vN subprotocol we speak
  | 'bad_frame' // not a decodable Envelope, or a text frame
  | 'too_big' // a frame over agents.maxPayloadBytes (ws closes with 1009 before reading it)
  | 'unexpected_message' // a valid Envelope that the agent must not send (or not now)
  | 'unsupported_version' // Hello.protocol_version outside what we accept
  | 'hello_timeout' // no Hello within HELLO_TIMEOUT_MS
  | 'bad_hello' // a Hello whose fields are missing or invalid (hostname, versions): closed with 1008
  | 'bad_sample' // a sample refused by the line-protocol mapping (counted per sample)
  | 'unknown_measurement' // a measurement outside the schema catalogue and outside the agents' namespace (per sample)
  | 'collector_measurement' // a measurement only the collector writes (alerts, tickets, ...), sent by an agent (per sample)
  | 'field_type' // a field whose type differs from the schema's for its measurement (per sample)
  | 'series_budget' // a sample that would create a series beyond the agent's budget for its measurement (per sample)
  | 'idle_connection' // a connection that sent no request within the first-request timeout
  | 'influx_rejected' // InfluxDB refused points for good (400: type conflict and the like)
  | 'internal_error' // an unexpected exception while handling an agent's frame: only that connection is closed (1011)
  | 'replaced' // the same agent connected again; the older connection is closed
  | 'revoked' // the agent's credential was revoked while it was connected
  | 'api_key_refused' // an API request with a missing, bad, unknown or revoked API key (401)
  | 'desk_push_refused' // a service desk's push to /api/v1/desks/:desk/inbound without a valid signature or secret (401)
  | 'rate_limited' // too many upgrades/enrollments/downloads or failed API keys from one IP (429), or too many frames/bytes from one agent (1008)
  | 'connection_limit'; // too many unauthenticated connections open from one IP; the newest is cut

/** WebSocket close codes (RFC 6455 section 7.4; 4000-4999 are ours). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  tooBig: 1009,
  internalError: 1011,
  helloTimeout: 4001,
  unsupportedVersion: 4002,
  replaced: 4003,
  revoked: 4004,
} as const;

/** A coded error for HTTP answers: the status and a stable code in the JSON body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Every coded HTTP answer. Decision on 401 against 403: 401 answers a credential the collector does not accept
 * (a missing, bad, unknown or revoked API key, agent credential or enrollment token, wherever it was presented:
 * the Authorization header or the enrollment body), 403 a credential it accepts whose scope does not reach the
 * route. So a refused enrollment token (`token_<reason>`) is 401 on every route, as RFC 6750 has it for a bad
 * bearer token and as the deployment scripts' and downloads' answers always were.
 */
export const httpErrors = {
  unauthorized: () => new HttpError(401, 'unauthorized', 'missing or invalid bearer key'),
  /** A desk push that did not prove itself: the same answer whatever failed (no such desk, no inbound, bad signature). */
  pushRefused: () => new HttpError(401, 'unauthorized', 'unauthorized'),
  /** The release and deployment routes: neither an enrolled agent's credential nor an enrollment token was presented. */
  credentialRequired: () => new HttpError(401, 'unauthorized', 'an agent credential or an enrollment token is required (Authorization: Bearer ...)'),
  /** The API key is valid, but its scope does not reach this route (an admin-only route, or acting with a read key). */
  forbidden: (message: string) => new HttpError(403, 'forbidden', message),
  /** A tenant key named another tenant (a query or body): the same answer for every other tenant, existing or not. */
  tenantForbidden: (own: string) => new HttpError(403, 'tenant_forbidden', `this API key is scoped to tenant ${own}`),
  apiDisabled: () => new HttpError(401, 'api_disabled', 'the API is disabled: set adminKey (WATCHPOST_ADMIN_KEY)'),
  /** An enrollment token that is expired, used up, revoked, unknown or malformed (enrollment, deployment scripts, downloads). */
  tokenRefused: (reason: string) => new HttpError(401, `token_${reason}`, `enrollment token refused: ${reason.replace('_', ' ')}`),
  agentUnknown: (agentId: string) => new HttpError(404, 'agent_unknown', `unknown agent: ${agentId}`),
  /** Another live agent of the tenant holds the hostname (enrollment or rename); the message says how to resolve it. */
  hostnameTaken: (message: string) => new HttpError(409, 'hostname_taken', message),
  ticketUnknown: (id: number | string) => new HttpError(404, 'ticket_unknown', `unknown ticket: ${id}`),
  ticketResolved: (id: number) => new HttpError(409, 'ticket_resolved', `ticket ${id} is resolved`),
  ticketNotResolved: (id: number) => new HttpError(409, 'ticket_not_resolved', `ticket ${id} is not resolved`),
  /** A reopen while another unresolved ticket of the same agent and rule exists (the alert fired again after the window). */
  ticketSuperseded: (id: number, other: number) =>
    new HttpError(409, 'ticket_superseded', `ticket ${id} cannot be reopened: ticket ${other} is open for the same agent and rule`),
  tenantUnknown: (tenant: string) => new HttpError(404, 'tenant_unknown', `unknown tenant: ${tenant}`),
  maintenanceWindowUnknown: (id: string) => new HttpError(404, 'maintenance_window_unknown', `unknown maintenance window: ${id}`),
  silenceUnknown: (id: string) => new HttpError(404, 'silence_unknown', `unknown silence: ${id}`),
  waiverUnknown: (id: number | string) => new HttpError(404, 'waiver_unknown', `unknown compliance waiver: ${id}`),
  deliveryUnknown: (id: number | string) => new HttpError(404, 'delivery_unknown', `unknown desk delivery: ${id}`),
  releaseUnknown: (version: string, name: string) => new HttpError(404, 'release_unknown', `no release file ${name} of version ${version}`),
  releaseChanged: (file: string) =>
    new HttpError(503, 'release_changed', `${file} changed on disk since the releases were loaded; reload the collector (SIGHUP)`),
  noRelease: (message: string) => new HttpError(503, 'no_release', message),
  badHost: () => new HttpError(400, 'bad_host', 'the Host header is not a host name; set server.publicUrl'),
  /** A body that passed the schema but means nothing (end before start, a cron that never fires): the message names the field. */
  invalidArgument: (message: string) => new HttpError(400, 'invalid_argument', message),
  rateLimited: (retryAfterSeconds: number) => new HttpError(429, 'rate_limited', `too many requests from this address; retry in ${retryAfterSeconds} s`),
};

/** Bad command-line input: the CLI prints it with the usage line and exits 2. */
export class UsageError extends Error {}

/** A file or setting the collector cannot use; the message names the file and the key. serve exits 2 on one at start. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
