// The delivery contract of a ticketing desk connector as one test suite that every ticketing connector runs against
// its vendor fake (ConnectWise, Autotask, HaloPSA, Jira Service Management, ServiceNow), the way the agent's spools
// share theirs. What it holds each connector to, whatever the vendor: a retry after a lost answer finds the ticket
// instead of opening a second; the first event of a ticket the desk never saw creates it and applies the event;
// 429 (with Retry-After) and 503 are retryable; 400 is failed with a redacted excerpt; wrong credentials are failed
// without a secret in the reason; HTML on a 200 is failed. Call connectorContract(name, harness) from a *.test.ts
// file; a harness (contract/<vendor>.ts) starts the vendor fake and makes the connector from settings pointing at it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connector, DeliveryResult } from '../../../collector/src/desks/contract.js';
import { deliveryContext, deskEvent } from './events.js';
import type { Fault, FakeRequest } from './fakes/fake-desk.js';

/** One vendor fake, running, and the connector made from settings that point at it. */
export interface ContractDesk {
  /** A connector for this desk; every call answers a new one over the same settings. */
  connector(): Connector;
  /** A connector whose credential the desk refuses, and that credential in every form it could leak (the value,
   *  its Basic-auth base64): none may appear in the reason. */
  badCredentials(): { connector: Connector; leaks: string[] };
  /** The secret values of the settings (keys, passwords, tokens): none may appear in a reason. */
  secrets: readonly string[];
  /** The tickets (incidents, issues, requests) the desk holds. */
  tickets(): number;
  /** Whether the desk's ticket with this id is in its resolved (closed, complete) state. */
  isResolved(remoteId: string): boolean;
  /** The texts added to the desk's ticket after its creation (notes, comments, work notes, actions). */
  notes(remoteId: string): string[];
  /** The request that searches the desk by the correlation key: the first ticket call of a delivery. */
  isSearch(r: FakeRequest): boolean;
  /** The request that creates the ticket. */
  isCreate(r: FakeRequest): boolean;
  /** The fake's one-shot fault: the next matching request gets it (fakes/fake-desk.ts). */
  failNext(match: (r: FakeRequest) => boolean, fault: Fault): void;
  close(): Promise<void>;
}

export interface ContractHarness {
  start(): Promise<ContractDesk>;
}

const reasonOf = (result: DeliveryResult): string => (result.kind === 'ok' ? '' : result.reason);

export function connectorContract(name: string, harness: ContractHarness): void {
  describe(`desk connector contract: ${name}`, () => {
    let desk: ContractDesk;
    beforeEach(async () => {
      desk = await harness.start();
    });
    afterEach(() => desk.close());

    it('a retry after a lost answer to the create finds the ticket instead of creating a second', async () => {
      const connector = desk.connector();
      const event = deskEvent('opened');
      desk.failNext((r) => desk.isCreate(r), 'drop-after-handling');
      const lost = await connector.deliver(event, deliveryContext());
      expect(lost.kind).toBe('retryable');
      expect(desk.tickets()).toBe(1);
      const retry = await connector.deliver(event, deliveryContext());
      expect(retry).toMatchObject({ kind: 'ok', remoteId: expect.any(String) });
      expect(desk.tickets()).toBe(1);
    });

    it("the first event of a ticket the desk never saw ('resolved') creates the ticket and resolves it", async () => {
      const result = await desk.connector().deliver(deskEvent('resolved', {}, 'recovered before the desk heard of it'), deliveryContext());
      expect(result).toMatchObject({ kind: 'ok', remoteId: expect.any(String) });
      expect(desk.tickets()).toBe(1);
      expect(desk.isResolved((result as { remoteId: string }).remoteId)).toBe(true);
    });

    it("the first event of a ticket the desk never saw ('note') creates the ticket and adds the note", async () => {
      const result = await desk.connector().deliver(deskEvent('note', {}, 'checked the disk, cleanup scheduled'), deliveryContext());
      expect(result).toMatchObject({ kind: 'ok', remoteId: expect.any(String) });
      expect(desk.tickets()).toBe(1);
      expect(desk.notes((result as { remoteId: string }).remoteId).join('\n')).toContain('checked the disk, cleanup scheduled');
    });

    it('429 with Retry-After is retryable after that long', async () => {
      desk.failNext((r) => desk.isSearch(r), { status: 429, body: { message: 'rate limit exceeded' }, headers: { 'retry-after': '7' } });
      const result = await desk.connector().deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'retryable', retryAfterMs: 7000, reason: expect.stringContaining('HTTP 429') });
      expect(desk.tickets()).toBe(0);
    });

    it('503 is retryable', async () => {
      desk.failNext((r) => desk.isSearch(r), { status: 503, body: '<html><body>Service Unavailable</body></html>' });
      const result = await desk.connector().deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'retryable', reason: expect.stringContaining('HTTP 503') });
      expect(desk.tickets()).toBe(0);
    });

    it('400 is failed, with an excerpt of the answer in which a secret shows as [redacted]', async () => {
      const echoed = `field board is not valid; request was signed with ${desk.secrets.join(' and ')}`;
      desk.failNext((r) => desk.isSearch(r), { status: 400, body: { message: echoed, errors: [echoed] } });
      const result = await desk.connector().deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('HTTP 400') });
      const reason = reasonOf(result);
      expect(reason).toContain('field board is not valid');
      expect(reason).toContain('[redacted]');
      for (const secret of desk.secrets) expect(reason).not.toContain(secret);
      expect(desk.tickets()).toBe(0);
    });

    it('401 (credentials the desk refuses) is failed, and the reason shows no secret', async () => {
      const { connector, leaks } = desk.badCredentials();
      const result = await connector.deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('401') });
      const reason = reasonOf(result);
      for (const secret of [...leaks, ...desk.secrets]) expect(reason).not.toContain(secret);
      expect(desk.tickets()).toBe(0);
    });

    it('HTML on a 200 (a login page) is failed, not retried, and creates nothing', async () => {
      desk.failNext((r) => desk.isSearch(r), { status: 200, body: '<!DOCTYPE html><html><body>Sign in to continue</body></html>' });
      const result = await desk.connector().deliver(deskEvent('opened'), deliveryContext());
      expect(result).toMatchObject({ kind: 'failed', reason: expect.stringContaining('Sign in to continue') });
      expect(desk.tickets()).toBe(0);
    });
  });
}
