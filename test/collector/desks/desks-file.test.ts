// The desks file: routes per tenant with overrides, ${ENV} secrets, event filters, and every bad input refused
// naming the file and the key.
import { describe, expect, it } from 'vitest';
import { parseDesks } from '../../../collector/src/desks/desks-file.js';

const FILE = `
desks:
  hook:
    type: webhook
    url: https://hooks.example.net/watchpost
    secret: \${HOOK_SECRET}
    events: [opened, escalated]
default_desks: [ { desk: hook } ]
tenants:
  acme:
    desks:
      - { desk: hook, url: "https://acme.example.net/in", events: [opened, note] }
  quiet:
    desks: []
`;
const ENV = { HOOK_SECRET: 'a-long-webhook-secret-value' };

describe('desks file', () => {
  it('routes each tenant, layering its keys over the desk, with secrets from the environment', () => {
    const set = parseDesks(FILE, 'desks.yaml', ENV);
    expect(set.names()).toEqual(['hook']);
    const acme = set.route('hook', 'acme')!;
    expect(acme.settings).toEqual({ url: 'https://acme.example.net/in', secret: 'a-long-webhook-secret-value' });
    expect(acme.secrets).toContain('a-long-webhook-secret-value');
    const other = set.route('hook', 'globex')!;
    expect(other.settings.url).toBe('https://hooks.example.net/watchpost');
    expect(set.routes('quiet')).toEqual([]);
  });

  it('takes the route events over the desk events, and the webhook always takes resolved', () => {
    const set = parseDesks(FILE, 'desks.yaml', ENV);
    expect([...set.route('hook', 'acme')!.events].sort()).toEqual(['note', 'opened', 'resolved']);
    expect([...set.route('hook', 'globex')!.events].sort()).toEqual(['escalated', 'opened', 'resolved']);
  });

  it("takes a desk's concurrency from its key, else its vendor's documented limit, else 4", () => {
    const set = parseDesks(
      `desks:
  hook: { type: webhook, url: "https://x", concurrency: 2 }
  other: { type: webhook, url: "https://y" }
  at: { type: autotask, username: u, secret: s, integration_code: c, company_id: 1, queue_id: 2 }
default_desks: [ { desk: hook } ]`,
      'desks.yaml',
      {},
    );
    expect(set.concurrency('hook')).toBe(2);
    expect(set.concurrency('other')).toBe(4);
    expect(set.concurrency('at')).toBe(3); // Autotask: 3 concurrent requests per endpoint and integration
    expect(set.route('hook', 'acme')!.settings).toEqual({ url: 'https://x' }); // a desk key, not a connector setting
  });

  it.each([
    ['desks: { hook: { type: webhook, url: "https://x", concurrency: 0 } }', {}, 'desks.yaml: desks.hook.concurrency'],
    [FILE, {}, 'desks.yaml: default_desks[0].secret: environment variable HOOK_SECRET is not set'],
    ['desks: { hook: { type: fax } }\ndefault_desks: [ { desk: hook } ]', {}, 'desks.yaml: desks.hook.type: unknown type "fax"'],
    ['desks: { hook: { type: webhook, url: "ftp://x" } }\ndefault_desks: [ { desk: hook } ]', {}, 'desks.yaml: default_desks[0].url:'],
    [
      'desks: { hook: { type: webhook, url: "https://x" } }\ntenants: { acme: { desks: [ { desk: nope } ] } }',
      {},
      'desks.yaml: tenants.acme.desks[0].desk: unknown desk "nope"',
    ],
    ['desks: { hook: { type: webhook, url: "https://x", events: [opened, exploded] } }', {}, 'desks.yaml: desks.hook.events'],
    ['desks: { hook: { type: webhook, url: "https://x" } }\nbogus: 1', {}, 'desks.yaml: bogus'],
    ['desks: [', {}, 'desks.yaml: not YAML'],
  ])('refuses %#, naming the key', (text, env, message) => {
    expect(() => parseDesks(text, 'desks.yaml', env)).toThrow(message);
  });
});
