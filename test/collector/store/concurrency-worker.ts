// Child process for postgres-concurrency.test.ts (run with `node --import tsx`): one collector's store connection,
// kept for the whole file so each test pays no process start. Two messages per job:
//   { url }                    opens a store on that database and answers 'ready' (so the parent can start every
//                              child's job at once, all connections open);
//   { mode, args }             does the job, closes the store and answers { result } or { error }.
// Jobs:
//   open-ticket                  opens the ticket every child opens: { ok, id } or { ok: false, code }
//   redeem TOKEN HOSTNAME        redeems the enrollment token once: the RedeemResult
//   claim-desk DESK NAME         claims and "delivers" the desk's rows until none is left: Claimed[]
//   claim-influx NAME            claims and "ships" influx outbox batches until none is left: number[][] (ids)
//   claim-and-hang DESK NAME     claims up to 5 desk rows and the oldest 10 influx rows, answers them and their lease,
//                                then hangs until killed (a collector SIGKILLed mid-delivery)
// Times are the monotonic clock in microseconds (process.hrtime: CLOCK_MONOTONIC, one clock for every process on the
// machine), so the parent can order what different children did.
import { setTimeout as sleep } from 'node:timers/promises';
import { isStoreError, openStore, type Store } from '../../../collector/src/store/index.js';
import { newTicket } from '../../helpers/collector-tickets.js';

export interface Claimed {
  id: number;
  ticketId: number;
  /** When the claim that took the row had returned, and when its settle was about to be sent. */
  claimedAt: number;
  settleAt: number;
  recorded: boolean;
}

/** Long enough that no lease lapses during a test: a claim is taken again only when the test moves time on. */
const WORKER_LEASE_MS = 10 * 60_000;

const micros = (): number => Number(process.hrtime.bigint() / 1000n);
/** A delivery's time at the desk: long enough for another child's claim to come in meanwhile. */
const deliveryTime = () => sleep(1 + Math.floor(Math.random() * 3));

async function claimDesk(store: Store, desk: string, name: string): Promise<Claimed[]> {
  const claimed: Claimed[] = [];
  for (let n = 1; ; n++) {
    const token = `${name}/${n}`;
    const rows = store.deskOutbox.claim(desk, Date.now(), 3, token, Date.now() + WORKER_LEASE_MS);
    const claimedAt = micros();
    if (rows.length === 0) {
      // Nothing free: done when nothing is pending, else the heads are in flight elsewhere.
      if (store.deskOutbox.list({ desk, state: 'pending', limit: 1 }).length === 0) return claimed;
      await sleep(1);
      continue;
    }
    await Promise.all(
      rows.map(async (row) => {
        await deliveryTime();
        const settleAt = micros();
        const recorded = store.deskOutbox.delivered(row.id, Date.now(), token);
        claimed.push({ id: row.id, ticketId: row.ticketId, claimedAt, settleAt, recorded });
      }),
    );
  }
}

async function claimInflux(store: Store, name: string): Promise<number[][]> {
  const batches: number[][] = [];
  for (let n = 1; ; n++) {
    const token = `${name}/${n}`;
    const rows = store.influxOutbox.claim(25, token, Date.now(), Date.now() + WORKER_LEASE_MS);
    if (rows.length === 0) return batches;
    await deliveryTime();
    if (store.influxOutbox.removeClaimed(rows, token) !== rows.length) throw new Error(`batch ${token} was not all still held`);
    batches.push(rows.map((r) => r.id));
  }
}

async function job(store: Store, mode: string, args: string[]): Promise<unknown> {
  switch (mode) {
    case 'open-ticket':
      try {
        return { ok: true, id: store.tickets.open(newTicket({ host: 'srv1', ruleId: 'disk_space' }), Date.now(), 'opened').id };
      } catch (error) {
        if (isStoreError(error)) return { ok: false, code: error.code };
        throw error;
      }
    case 'redeem':
      return store.tokens.redeem(args[0]!, { hostname: args[1]! });
    case 'claim-desk':
      return claimDesk(store, args[0]!, args[1]!);
    case 'claim-influx':
      return claimInflux(store, args[0]!);
    case 'claim-and-hang': {
      const leaseUntil = Date.now() + WORKER_LEASE_MS;
      const desk = store.deskOutbox.claim(args[0]!, Date.now(), 5, `${args[1]}/1`, leaseUntil).map((r) => r.id);
      const influx = store.influxOutbox.claim(10, `${args[1]}/2`, Date.now(), leaseUntil).map((r) => r.id);
      process.send?.({ result: { desk, influx, leaseUntil } });
      return new Promise(() => {}); // "delivering" until SIGKILL
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

let store: Store | undefined;
process.on('message', (message: { url?: string; mode?: string; args?: string[] }) => {
  if (message.url !== undefined) {
    store = openStore(message.url);
    process.send?.('ready');
    return;
  }
  const open = store!;
  job(open, message.mode!, message.args ?? []).then(
    (result) => {
      open.close();
      process.send?.({ result });
    },
    (error: Error) => {
      open.close();
      process.send?.({ error: error.stack ?? error.message });
    },
  );
});
process.send?.('started');
