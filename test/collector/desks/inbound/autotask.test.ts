// Autotask's ticket webhook: its X-Hook-Signature check and its callout read into desk changes; and the desks file's
// inbound block for Autotask (push and poll) and for polling in general.
//
// Sample: the callout body as documented (Autotask's "Webhooks" pages, as quoted by public receivers: Action, Guid,
// EntityType, Id, Fields with the changed subscribed fields, EventTime, SequenceNumber, PersonID), shaped like
// Nango's Autotask routing fixtures (github.com/NangoHQ/nango packages/server/lib/webhook/autotask-webhook-routing.unit.test.ts:
// a ticket update with Fields {TicketNumber, Status: "5"}); values are ours. The signature, sha1=<base64 HMAC-SHA1
// of the raw body under the webhook's SecretKey>, is computed here as those receivers describe it: a constructed
// sample, not a captured Autotask delivery.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { parseDesks } from '../../../../collector/src/desks/desks-file.js';
import { autotaskInbound, autotaskPoll, autotaskSignature } from '../../../../collector/src/desks/inbound/autotask.js';
import { InboundPayloadError, type InboundSettings } from '../../../../collector/src/desks/inbound/contract.js';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const deps = { fetch: (() => Promise.reject(new Error('no network'))) as typeof fetch, now: () => NOW };
const SECRET = 'autotask-webhook-secret-0123456789';
const settings: InboundSettings = { auth: 'signature', secret: SECRET };
const raw = (body: unknown) => Buffer.from(JSON.stringify(body));

/** A documented-shape Autotask ticket update callout. */
const callout = (fields: Record<string, unknown>, action = 'Update') => ({
  Action: action,
  Guid: 'd0046a73-76a0-41c4-a634-4b7fce7e43ec',
  EntityType: 'Ticket',
  Id: 7001,
  Fields: { TicketNumber: 'T20261123.0001', ...fields },
  EventTime: '2026-11-23T09:40:00Z',
  SequenceNumber: 2,
  PersonID: 29682885,
});

describe('Autotask push', () => {
  it('takes X-Hook-Signature sha1=<base64 HMAC-SHA1> of the raw body, and refuses another secret, a tampered body or none', async () => {
    const body = raw(callout({ Status: '8' }));
    const signed = autotaskSignature(body, SECRET);
    expect(signed).toMatch(/^sha1=[A-Za-z0-9+/]+=*$/);
    expect(await autotaskInbound.verify({ headers: { 'x-hook-signature': signed }, rawBody: body }, settings, undefined, deps)).toBe(true);
    expect(await autotaskInbound.verify({ headers: { 'x-hook-signature': signed.slice(5) }, rawBody: body }, settings, undefined, deps)).toBe(true);
    const other = autotaskSignature(body, 'another-secret-0123456789');
    expect(await autotaskInbound.verify({ headers: { 'x-hook-signature': other }, rawBody: body }, settings, undefined, deps)).toBe(false);
    const tampered = Buffer.from(body.toString().replace('"8"', '"5"'));
    expect(await autotaskInbound.verify({ headers: { 'x-hook-signature': signed }, rawBody: tampered }, settings, undefined, deps)).toBe(false);
    expect(await autotaskInbound.verify({ headers: {}, rawBody: body }, settings, undefined, deps)).toBe(false);
    expect(await autotaskInbound.verify({ headers: { 'x-hook-signature': signed }, rawBody: body }, { auth: 'signature' }, undefined, deps)).toBe(false);
  });

  it('maps status ids (8 acknowledged, 5 resolved, another an inferred reopen), reads PersonID and EventTime, and records a priority', () => {
    const at = Date.parse('2026-11-23T09:40:00Z');
    expect(autotaskInbound.parse(callout({ Status: '8' }), settings, NOW)).toEqual([
      { remoteId: '7001', change: 'reopened', inferred: true, at, by: 'resource 29682885', status: 'status 8' },
      { remoteId: '7001', change: 'acknowledged', at, by: 'resource 29682885', status: 'status 8' },
    ]);
    expect(autotaskInbound.parse(callout({ Status: 5 }), settings, NOW).map((c) => c.change)).toEqual(['resolved']);
    expect(autotaskInbound.parse(callout({ status: '1' }), settings, NOW).map((c) => c.change)).toEqual(['reopened']);
    expect(autotaskInbound.parse(callout({ Priority: 1 }), settings, NOW)).toEqual([
      { remoteId: '7001', change: 'priority', deskPriority: '1', at, by: 'resource 29682885' },
    ]);
    const custom: InboundSettings = { ...settings, statuses: { acknowledged: [12], resolved: [5, 14] } };
    expect(autotaskInbound.parse(callout({ Status: '14' }), custom, NOW).map((c) => c.change)).toEqual(['resolved']);
    expect(autotaskInbound.parse(callout({ Status: '8' }), custom, NOW).map((c) => c.change)).toEqual(['reopened']);
  });

  it('ignores creates, deletes and other entities, and refuses a body that is not a callout', () => {
    expect(autotaskInbound.parse(callout({ Status: '5' }, 'Create'), settings, NOW)).toEqual([]);
    expect(autotaskInbound.parse(callout({}, 'Delete'), settings, NOW)).toEqual([]);
    expect(autotaskInbound.parse({ ...callout({ Status: '5' }), EntityType: 'TicketNote' }, settings, NOW)).toEqual([]);
    expect(() => autotaskInbound.parse({ hello: 'world' }, settings, NOW)).toThrow(InboundPayloadError);
  });

  it('a polled ticket names its status by the picklist label, and statuses may be labels there', () => {
    const read = {
      answer: { item: { id: 7001, status: 8, priority: 2, lastActivityDate: '2026-11-23T09:45:00.000', lastActivityResourceID: 29682885 } },
      statuses: [
        { id: 1, label: 'New' },
        { id: 5, label: 'Complete' },
        { id: 8, label: 'In Progress' },
        { id: 12, label: 'Triaged' },
      ],
    };
    expect(autotaskPoll.changes(read, '7001', {}, NOW).map((c) => [c.change, c.status])).toEqual([
      ['reopened', 'In Progress (8)'],
      ['acknowledged', 'In Progress (8)'],
      ['priority', undefined],
    ]);
    const byLabel: InboundSettings = { statuses: { acknowledged: ['Triaged'] } };
    expect(autotaskPoll.changes({ ...read, answer: { item: { ...read.answer.item, status: 12 } } }, '7001', byLabel, NOW)[1]).toMatchObject({
      change: 'acknowledged',
      status: 'Triaged (12)',
      at: Date.parse('2026-11-23T09:45:00Z'),
    });
    expect(() => autotaskPoll.changes({ answer: { items: [] } }, '7001', {}, NOW)).toThrow(InboundPayloadError);
  });
});

describe('the inbound block: Autotask and polling', () => {
  const AT = 'type: autotask, username: u, secret: s, integration_code: c, company_id: 1, queue_id: 2';
  it('takes an Autotask push (signature, a secret required) and a poll; a poll-only block refuses pushes', () => {
    const pushed = parseDesks(`desks: { at: { ${AT}, inbound: { secret: "0123456789abcdef0" } } }`, 'desks.yaml', {}).inbound!('at')!;
    expect(pushed).toMatchObject({ push: true, settings: { auth: 'signature' } });
    expect(pushed.poll).toBeUndefined();
    expect(() => parseDesks(`desks: { at: { ${AT}, inbound: { auth: signature } } }`, 'desks.yaml', {})).toThrow(/inbound\.secret: required/);
    const polled = parseDesks(`desks: { at: { ${AT}, inbound: { poll: 5m } } }`, 'desks.yaml', {}).inbound!('at')!;
    expect(polled).toMatchObject({ push: false, poll: { everyMs: 300_000, max: 50 } });
    const both = parseDesks(`desks: { at: { ${AT}, inbound: { poll: 2m, poll_max: 10, secret: "0123456789abcdef0" } } }`, 'desks.yaml', {});
    expect(both.inbound!('at')).toMatchObject({ push: true, poll: { everyMs: 120_000, max: 10 } });
  });

  it('refuses a poll under a minute, a poll that is not a duration, and a poll of a desk that only receives', () => {
    expect(() => parseDesks(`desks: { at: { ${AT}, inbound: { poll: 30s } } }`, 'desks.yaml', {})).toThrow(/inbound\.poll: at least 1m/);
    expect(() => parseDesks(`desks: { at: { ${AT}, inbound: { poll: often } } }`, 'desks.yaml', {})).toThrow(/inbound\.poll/);
    expect(() => parseDesks('desks: { hook: { type: webhook, url: "https://x.example/in", inbound: { poll: 5m } } }', 'desks.yaml', {})).toThrow(
      /desks\.hook\.inbound: a webhook desk has no push or poll/,
    );
  });
});
