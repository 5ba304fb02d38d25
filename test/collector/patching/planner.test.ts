// The planner over a real SQLite store and the rules file as the collector parses it, on an injected clock: rings and
// their deferrals, exclusion globs, people's decisions against automatic approval, the window (also in the week
// Europe/Berlin changes to summer time), the lead time, catch_up, max_items and the plan id.
import { describe, expect, it } from 'vitest';
import { createPatchPlanner, LEAD_MS } from '../../../collector/src/patching/planner.js';
import { D, H, patchesRun, sample, world } from './helpers.js';

const RULES = `
tenants:
  acme:
    calendars:
      office: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:00" }] }
    terms:
      calendar: office
      patches:
        rings: { pilot: { deferral: 0d }, broad: { deferral: 7d } }
        exclude: ["linux-image-*", KB5034441]
        window: { cron: "0 0 2 * * 6", duration: 4h }
        max_items: 3
    hosts:
      pilot01: { patch_ring: pilot }
      "sun-*": { patch_window: { cron: "0 0 1 * * 0" } }
`;

// Saturdays 02:00 Europe/Berlin: 23 March 2024 (CET, 01:00 UTC), 30 March (CET), 6 April (CEST, 00:00 UTC).
const SAT_23 = Date.UTC(2024, 2, 23, 1);
const SAT_30 = Date.UTC(2024, 2, 30, 1);
const SAT_APR_6 = Date.UTC(2024, 3, 6, 0);
const MON_18 = Date.UTC(2024, 2, 18, 10);

function setup(rules = RULES) {
  const w = world(rules, MON_18);
  const pilot = w.agent('pilot01');
  const broad = w.agent('web01');
  const planner = createPatchPlanner({ store: w.store, rules: w.rules });
  return { ...w, pilot, broad, planner };
}

const ids = (plan: { items: { id: string }[] } | null) => plan?.items.map((i) => i.id) ?? null;

describe('the planner', () => {
  it('gives the pilot ring an auto-approved update in its next window and the broad ring only after its 7-day deferral', () => {
    const { ingest, planner, pilot, broad } = setup();
    for (const a of [pilot, broad]) ingest(a, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13-1~deb12u1', security: true }]));

    const pilotPlan = planner.planFor(pilot, SAT_23 + H);
    expect(pilotPlan).toMatchObject({
      windowStart: SAT_23,
      windowEnd: SAT_23 + 4 * H,
      reboot: { mode: 'if_required' },
      items: [{ id: 'openssl', manager: 'apt', title: 'openssl 3.0.13-1~deb12u1' }],
    });
    // First seen Monday 18th 10:00; broad's 7 days end Monday 25th: not at the window of the 23rd, at the one of the 30th.
    expect(planner.planFor(broad, SAT_23 + H)).toBeNull();
    expect(ids(planner.planFor(broad, SAT_30 + H))).toEqual(['openssl']);
  });

  it('counts the deferral from the first sighting anywhere in the tenant, per version', () => {
    const { ingest, planner, pilot, broad } = setup();
    ingest(pilot, patchesRun(MON_18 - 10 * D, 'apt', [{ package: 'curl', version: '7.88.1-10+deb12u5', security: true }]));
    // web01 lists the same version only now: the tenant saw it 10 days ago, so broad's deferral has passed.
    ingest(broad, patchesRun(MON_18, 'apt', [{ package: 'curl', version: '7.88.1-10+deb12u5', security: true }]));
    expect(ids(planner.planFor(broad, SAT_23 + H))).toEqual(['curl']);
    // A new version of the package starts its own deferral.
    ingest(broad, patchesRun(MON_18 + H, 'apt', [{ package: 'curl', version: '7.88.1-10+deb12u6', security: true }]));
    expect(planner.planFor(broad, SAT_23 + H)).toBeNull();
  });

  it('never plans what an exclusion glob matches (package, KB), whatever approves it', () => {
    const { ingest, planner, pilot, store } = setup();
    ingest(
      pilot,
      patchesRun(MON_18, 'apt', [
        { package: 'linux-image-amd64', version: '6.1.85-1', security: true },
        { package: 'bash', version: '5.2.15-2+b7', security: true },
      ]),
    );
    store.patches.decide({ tenant: 'acme', updateKey: 'pkg:linux-image-amd64', decision: 'approve', reason: 'kernel fix', createdBy: 'jane' });
    expect(ids(planner.planFor(pilot, SAT_23 + H))).toEqual(['bash']);
  });

  it('excludes a Windows update by its KB and installs the others by UpdateID', () => {
    const { ingest, planner, store, clock } = setup();
    const ws = (() => {
      store.tenants.get('acme');
      const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'pilot-ws', os: 'win32', arch: 'x64', agentVersion: '1.0.0' });
      return { id: agentId, tenant: 'acme', hostname: 'pilot-ws' };
    })();
    clock.set(MON_18);
    ingest(
      ws,
      patchesRun(MON_18, 'wua', [
        { kb: 'KB5034441', update_id: '0d5a1c2b-8a47-4a3e-9c4f-2f1e1f6b0a11', title: '2024-01 Security Update for Windows 10 (KB5034441)', security: true },
        { kb: 'KB5035845', update_id: '6f7c0a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6', title: '2024-03 Cumulative Update for Windows 11 (KB5035845)', security: true },
      ]),
    );
    // web-like hosts without patch_ring are broad (the last ring): 7 days from Monday 18th reach the 30th.
    const plan = planner.planFor(ws, SAT_30 + H);
    expect(plan?.items).toEqual([
      { id: '6f7c0a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6', manager: 'wua', title: '2024-03 Cumulative Update for Windows 11 (KB5035845)' },
    ]);
    // A Windows host is a workstation unless told otherwise: warned before its reboot.
    expect(plan?.reboot).toMatchObject({ mode: 'warn', warnMinutes: 15 });
  });

  it('lets a decline beat automatic approval, and a later approval lift it', () => {
    const { ingest, planner, pilot, store } = setup();
    ingest(pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    store.patches.decide({ tenant: 'acme', updateKey: 'pkg:openssl', decision: 'decline', reason: 'breaks the client LOB app', createdBy: 'jane' });
    expect(planner.planFor(pilot, SAT_23 + H)).toBeNull();
    // A decline for another ring does not apply to pilot; one for pilot does.
    store.patches.decide({ tenant: 'acme', updateKey: 'pkg:openssl', ring: 'broad', decision: 'approve', reason: 'vendor fixed it', createdBy: 'jane' });
    expect(planner.planFor(pilot, SAT_23 + H)).toBeNull();
    store.patches.decide({ tenant: 'acme', updateKey: 'pkg:openssl', decision: 'approve', reason: 'vendor fixed it', createdBy: 'jane' });
    expect(ids(planner.planFor(pilot, SAT_23 + H))).toEqual(['openssl']);
  });

  it('lets a manual approval beat the deferral and the class: a non-security update for the broad ring at once', () => {
    const { ingest, planner, broad, store } = setup();
    ingest(broad, patchesRun(MON_18, 'apt', [{ package: 'tzdata', version: '2024a-0+deb12u1', security: false }]));
    expect(planner.planFor(broad, SAT_30 + H)).toBeNull(); // not auto-approved at all
    store.patches.decide({ tenant: 'acme', updateKey: 'pkg:tzdata', ring: 'broad', decision: 'approve', reason: 'DST change in Egypt', createdBy: 'jane' });
    expect(ids(planner.planFor(broad, SAT_23 + H))).toEqual(['tzdata']);
  });

  it('takes at most max_items: security and critical first, then the oldest', () => {
    const { ingest, planner, pilot, store } = setup();
    ingest(pilot, patchesRun(MON_18 - 3 * D, 'apt', [{ package: 'old-tool', version: '1', security: false }]));
    ingest(
      pilot,
      patchesRun(MON_18 - 2 * D, 'apt', [
        { package: 'old-tool', version: '1', security: false },
        { package: 'sec-b', version: '1', security: true },
      ]),
    );
    ingest(
      pilot,
      patchesRun(MON_18, 'apt', [
        { package: 'old-tool', version: '1', security: false },
        { package: 'sec-b', version: '1', security: true },
        { package: 'sec-c', version: '1', security: true },
        { package: 'new-tool', version: '1', security: false },
        { package: 'sec-d', version: '1', critical: true },
      ]),
    );
    for (const p of ['old-tool', 'new-tool'])
      store.patches.decide({ tenant: 'acme', updateKey: `pkg:${p}`, decision: 'approve', reason: 'ok', createdBy: 'jane' });
    expect(ids(planner.planFor(pilot, SAT_23 + H))).toEqual(['sec-b', 'sec-c', 'sec-d']);
  });

  it('offers the plan within the lead time before the window, never after it, and keeps its id stable', () => {
    const { ingest, planner, pilot } = setup();
    ingest(pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    expect(planner.planFor(pilot, SAT_23 - LEAD_MS - 60_000)).toBeNull();
    const early = planner.planFor(pilot, SAT_23 - LEAD_MS + 60_000);
    expect(early).toMatchObject({ windowStart: SAT_23, windowEnd: SAT_23 + 4 * H });
    expect(planner.planFor(pilot, SAT_23 + 3 * H)?.planId).toBe(early!.planId);
    expect(early!.planId).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    expect(planner.planFor(pilot, SAT_23 + 4 * H)).toBeNull();
    // The next window is another plan.
    expect(planner.planFor(pilot, SAT_30)?.planId).not.toBe(early!.planId);
  });

  it('keeps Saturday 02:00 local across the change to summer time, and a 4 h window over the short night is 4 h', () => {
    const { ingest, planner, pilot, store } = setup();
    const sunday = (() => {
      const { agentId } = store.agents.enroll({ tenant: 'acme', hostname: 'sun-db1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
      return { id: agentId, tenant: 'acme', hostname: 'sun-db1' };
    })();
    for (const a of [pilot, sunday]) ingest(a, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    expect(planner.planFor(pilot, SAT_30 + H)).toMatchObject({ windowStart: SAT_30 });
    expect(planner.planFor(pilot, SAT_APR_6 + H)).toMatchObject({ windowStart: SAT_APR_6, windowEnd: SAT_APR_6 + 4 * H });
    // sun-*: Sunday 01:00 local; 31 March 01:00 CET = 00:00 UTC, 4 h of elapsed time: until 06:00 CEST.
    const sun31 = Date.UTC(2024, 2, 31, 0);
    expect(planner.planFor(sunday, sun31 + 3.5 * H)).toMatchObject({ windowStart: sun31, windowEnd: sun31 + 4 * H });
    // 7 April 01:00 CEST = 6 April 23:00 UTC.
    expect(planner.planFor(sunday, Date.UTC(2024, 3, 6, 23, 30))).toMatchObject({ windowStart: Date.UTC(2024, 3, 6, 23) });
  });

  it('does not plan for a tenant without terms.patches, and records nothing of its updates', () => {
    const { ingest, planner, store } = setup();
    const other = (() => {
      store.tenants.add({ id: 'globex', name: 'Globex' });
      const { agentId } = store.agents.enroll({ tenant: 'globex', hostname: 'srv1', os: 'linux', arch: 'x64', agentVersion: '1.0.0' });
      return { id: agentId, tenant: 'globex', hostname: 'srv1' };
    })();
    ingest(other, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    expect(store.patches.pending({ tenant: 'globex' })).toEqual([]);
    expect(planner.planFor(other, SAT_23 + H)).toBeNull();
  });

  it('does not offer again what the agent installed, and retries a failure in the next window, not the same one', () => {
    const { ingest, planner, pilot } = setup();
    ingest(
      pilot,
      patchesRun(MON_18, 'apt', [
        { package: 'openssl', version: '3.0.13', security: true },
        { package: 'bash', version: '5.2', security: true },
      ]),
    );
    const plan = planner.planFor(pilot, SAT_23)!;
    planner.offered(pilot.id, plan, SAT_23 - 10 * 60_000);
    const end = SAT_23 + 20 * 60_000;
    ingest(pilot, [
      sample(
        'patch_result',
        end,
        { plan_id: plan.planId, id: 'bash', title: 'bash 5.2', reboot_required: false, duration_seconds: 12 },
        { manager: 'apt', outcome: 'installed' },
      ),
      sample(
        'patch_result',
        end,
        { plan_id: plan.planId, id: 'openssl', title: 'openssl', code: 100, detail: 'E: dpkg was interrupted', reboot_required: false },
        {
          manager: 'apt',
          outcome: 'failed',
        },
      ),
    ]);
    expect(planner.planFor(pilot, SAT_23 + H)).toBeNull();
    // A patches run after the install still lists bash: the install did not hold, so it is offered again with openssl.
    ingest(
      pilot,
      patchesRun(SAT_23 + 4 * H, 'apt', [
        { package: 'openssl', version: '3.0.13', security: true },
        { package: 'bash', version: '5.2', security: true },
      ]),
    );
    expect(ids(planner.planFor(pilot, SAT_30 + H))).toEqual(['openssl', 'bash']);
  });

  it('marks gone what a newer run no longer lists: it is not planned', () => {
    const { ingest, planner, pilot, store } = setup();
    ingest(pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    ingest(pilot, patchesRun(MON_18 + 4 * H, 'apt', []));
    expect(store.patches.pending({ tenant: 'acme', agentId: pilot.id })).toEqual([]);
    expect(planner.planFor(pilot, SAT_23 + H)).toBeNull();
  });

  describe('catch_up', () => {
    const offlineThrough = (w: ReturnType<typeof setup>, reconnect: number) => {
      w.store.sessions.recover(MON_18 - D);
      w.store.sessions.open(w.pilot.id, 'acme', MON_18);
      w.store.sessions.close(w.pilot.id, SAT_23 - 2 * H);
      w.store.sessions.open(w.pilot.id, 'acme', reconnect);
    };

    it('without it, an agent offline for its whole window waits for the next one', () => {
      const w = setup();
      w.ingest(w.pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
      offlineThrough(w, SAT_23 + 6 * H);
      expect(w.planner.planFor(w.pilot, SAT_23 + 6 * H + 60_000)).toBeNull();
    });

    it('with it, such an agent gets a window of the policy duration from its reconnection', () => {
      const w = setup(RULES.replace('max_items: 3', 'max_items: 3\n        catch_up: true'));
      w.ingest(w.pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
      const back = SAT_23 + 6 * H;
      offlineThrough(w, back);
      const plan = w.planner.planFor(w.pilot, back + 60_000);
      expect(plan).toMatchObject({ windowStart: back, windowEnd: back + 4 * H, items: [{ id: 'openssl' }] });
      expect(w.planner.planFor(w.pilot, back + 4 * H)).toBeNull();
      // An agent that was connected during its window had its chance: no catch-up.
      const { broad } = w;
      w.ingest(broad, patchesRun(MON_18 - 10 * D, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
      w.store.sessions.open(broad.id, 'acme', SAT_23 + H);
      w.store.sessions.close(broad.id, SAT_23 + 2 * H);
      w.store.sessions.open(broad.id, 'acme', back);
      expect(w.planner.planFor(broad, back + 60_000)).toBeNull();
    });
  });

  it('says when plans change by time alone: the next lead time, a window end', () => {
    const { ingest, planner, pilot } = setup();
    ingest(pilot, patchesRun(MON_18, 'apt', [{ package: 'openssl', version: '3.0.13', security: true }]));
    expect(planner.nextChange(MON_18)).toBe(SAT_23 - LEAD_MS);
    expect(planner.nextChange(SAT_23 - LEAD_MS)).toBe(SAT_23 + 4 * H);
    expect(planner.nextChange(SAT_23 + H)).toBe(SAT_23 + 4 * H);
  });
});
