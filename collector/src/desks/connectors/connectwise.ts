// ConnectWise PSA (Manage) REST v3: one service ticket per Watchpost ticket on a configured board and company,
// notes for updates, priority changes on escalation, close with a resolution note, reopen by status.
//
// Sources read (with the search tool), and what each settled:
// - ConnectWise developer docs "PSA API Requests" (HTTP methods; 201 on create; 400 = do not repeat unchanged;
//   429 carries a numeric Retry-After), mirrored at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/commit/ecb9dd77dc1bd9fd66a1e79c62f059b43136db72/docs/connectwise/best-practices/PSA-API-Requests.md
//   (original https://developer.connectwise.com/@api/deki/pages/1291/pdf/PSA%2bAPI%2bRequests.pdf).
// - ConnectWise clientId page (the clientId header on every call; treat it like a password), mirrored at
//   https://app.preshmarketingsolutions.com/help/connectwise-developer-documentation
// - The PSA OpenAPI document (v2025.16), summarised at https://gitea.resolutionflow.com/chihlasm/resolutionflow/src/branch/main/docs/connectwise/CONNECTWISE-API-REFERENCE.md:
//   base https://{site}/v4_6_release/apis/3.0, Basic base64(companyId+publicKey:privateKey), `conditions`
//   syntax field="value"; POST service/tickets (summary required, max 100; company required; externalXRef
//   string max 100; initialDescription POST only); POST service/tickets/{id}/notes (text, detailDescriptionFlag,
//   internalAnalysisFlag, resolutionFlag).
// - A working integration, https://github.com/slartimitvar/zabbix-connectwise-webhook (zbx_mediatype_cwpsa-6.4.yaml):
//   PATCH service/tickets/{id} takes a JSON-Patch array [{op:"replace",path:"status/name",value}], conditions
//   quote strings in double quotes and escape a double quote as \".
//
// Correlation: the key is stored in `externalXRef` and searched with conditions=externalXRef="<key>". Why that
// field: it is a plain string (<= 100 chars) on the ticket itself, settable on create, with no setup in the
// instance (a custom field must be created by an admin and is searched with customFieldConditions); poNumber would
// also work but means "purchase order" to billing and shows on invoices. NOT confirmed in ConnectWise's own pages:
// that externalXRef is filterable in `conditions` (it is a Ticket field, and another integration searches it this
// way), and the default names below (priorities as commonly shipped; board statuses vary per board).
import { Type, type Static } from '@sinclair/typebox';
import type { ConnectorType, DeliveryContext, DeskEvent } from '../contract.js';
import { basicAuth } from '../auth.js';
import { apiCalls, done, inOrder, lacking, priorityMap, ticketingDesk, type DeskOps } from '../desk-flow.js';
import { noteText, ticketDescription, titleLine } from '../desk-text.js';

/** ConnectWise's documented cap on a ticket summary. */
export const SUMMARY_MAX = 100;
export const DEFAULT_CODEBASE = 'v4_6_release';
export const DEFAULT_PRIORITIES = {
  P1: 'Priority 1 - Emergency Response',
  P2: 'Priority 2 - Quick Response',
  P3: 'Priority 3 - Normal Response',
  P4: 'Priority 4 - Scheduled Maintenance',
} as const;
export const DEFAULT_STATUS_NEW = 'New';
export const DEFAULT_STATUS_RESOLVED = 'Completed';

const Name = (description: string, options: { default?: string; examples?: string[] } = {}) => Type.String({ minLength: 1, description, ...options });

const Settings = Type.Object(
  {
    site_url: Type.String({ pattern: '^https?://[^/]+/?$', description: 'the PSA API host only', examples: ['https://api-na.myconnectwise.net'] }),
    codebase: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: DEFAULT_CODEBASE, description: 'path segment before /apis/3.0' })),
    company_id: Name('the PSA company id used at login (the part before "+" in the API user)', { examples: ['mymsp'] }),
    public_key: Name('API member public key', { examples: ['Ab12Cd34Ef56Gh78'] }),
    private_key: Name('API member private key (write it as ${ENV_VAR})', { examples: ['${CONNECTWISE_PRIVATE_KEY}'] }),
    client_id: Name('clientId from developer.connectwise.com (write it as ${ENV_VAR})', { examples: ['${CONNECTWISE_CLIENT_ID}'] }),
    board: Name('service board name', { examples: ['Service Desk'] }),
    company: Name("the tenant's company identifier (set it in each tenant's route)", { examples: ['ACME'] }),
    type: Type.Optional(Name("service type name on the board (set it in a tenant's route: a desk's own `type` is its connector type)")),
    status_new: Type.Optional(Name('status of a new ticket', { default: DEFAULT_STATUS_NEW })),
    status_resolved: Type.Optional(Name("the board's closed/resolved status", { default: DEFAULT_STATUS_RESOLVED })),
    status_reopened: Type.Optional(Name('status of a reopened ticket (default: status_new)')),
    priority_map: Type.Optional(
      priorityMap((p) => Type.Optional(Name(`priority name for ${p}`)), {
        default: { ...DEFAULT_PRIORITIES },
        description: 'Watchpost priority -> priority name',
      }),
    ),
    internal_notes: Type.Optional(Type.Boolean({ default: true, description: 'notes as Internal Analysis (true) or Detail Description (false)' })),
  },
  { additionalProperties: true },
);
export type ConnectWiseSettings = Static<typeof Settings>;

/** conditions=externalXRef="<key>", the double quote escaped as the API's string syntax needs. */
export const keyCondition = (key: string): string => `externalXRef="${key.replace(/"/g, '\\"')}"`;

function ops(settings: ConnectWiseSettings, deps: { fetch: typeof fetch; now: () => number }): DeskOps {
  const base = `${settings.site_url.replace(/\/+$/, '')}/${settings.codebase ?? DEFAULT_CODEBASE}/apis/3.0/`;
  const auth = basicAuth(`${settings.company_id}+${settings.public_key}`, settings.private_key);
  const secrets = [...auth.secrets, settings.client_id];
  const headers = { clientId: settings.client_id, authorization: auth.header };
  const priorities = { ...DEFAULT_PRIORITIES, ...settings.priority_map };
  const noteFlags = settings.internal_notes === false ? { detailDescriptionFlag: true } : { internalAnalysisFlag: true };
  const call = apiCalls(base, headers, secrets, deps);
  const ticket = (id: string) => `service/tickets/${encodeURIComponent(id)}`;
  const patch = (id: string, path: string, value: string, ctx: DeliveryContext) =>
    call('PATCH', ticket(id), 'ticket update', ctx.signal, [{ op: 'replace', path, value }], 'json-or-empty');
  const postNote = (id: string, body: object, ctx: DeliveryContext) => call('POST', `${ticket(id)}/notes`, 'ticket note', ctx.signal, body, 'json-or-empty');
  const note = (id: string, event: DeskEvent, ctx: DeliveryContext) => postNote(id, { text: noteText(event), ...noteFlags }, ctx);
  const idOf = (value: unknown): string | null => {
    const id = (value as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isInteger(id) ? String(id) : null;
  };

  return {
    async find(key, ctx) {
      const answer = await call('GET', `service/tickets?conditions=${encodeURIComponent(keyCondition(key))}&pageSize=1`, 'ticket search', ctx.signal);
      if (!answer.ok) return answer;
      const rows = answer.value.json;
      if (!Array.isArray(rows)) return lacking('ticket search', 'list of tickets', answer.value, secrets);
      if (rows.length === 0) return done(null);
      const id = idOf(rows[0]);
      return id === null ? lacking('ticket search', 'ticket id', answer.value, secrets) : done(id);
    },
    async create(event, ctx) {
      const t = event.ticket;
      const body = {
        summary: titleLine(`[${t.priority}] ${t.title}`, SUMMARY_MAX),
        recordType: 'ServiceTicket',
        board: { name: settings.board },
        status: { name: settings.status_new ?? DEFAULT_STATUS_NEW },
        company: { identifier: settings.company },
        priority: { name: priorities[t.priority] },
        ...(settings.type ? { type: { name: settings.type } } : {}),
        initialDescription: ticketDescription(t),
        externalXRef: t.correlationKey,
      };
      const answer = await call('POST', 'service/tickets', 'ticket create', ctx.signal, body);
      if (!answer.ok) return answer;
      const id = idOf(answer.value.json);
      return id === null ? lacking('ticket create', 'ticket id', answer.value, secrets) : done(id);
    },
    note,
    reprioritize: (id, event, ctx) =>
      inOrder(
        () => patch(id, 'priority/name', priorities[event.ticket.priority], ctx),
        () => note(id, event, ctx),
      ),
    // The resolution note goes first: a board can require a resolution before it accepts a closed status.
    resolve: (id, event, ctx) =>
      inOrder(
        () => postNote(id, { text: noteText(event), resolutionFlag: true }, ctx),
        () => patch(id, 'status/name', settings.status_resolved ?? DEFAULT_STATUS_RESOLVED, ctx),
      ),
    reopen: (id, event, ctx) =>
      inOrder(
        () => patch(id, 'status/name', settings.status_reopened ?? settings.status_new ?? DEFAULT_STATUS_NEW, ctx),
        () => note(id, event, ctx),
      ),
  };
}

export const connectwise: ConnectorType<ConnectWiseSettings> = ticketingDesk(Settings, ops);
