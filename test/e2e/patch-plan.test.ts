// Patch management end to end, every part real: the compiled Linux agent runs INSIDE a debootstrap'd Debian root
// (an overlay of the cached minbase root, with /proc and /dev bound; same network namespace, so it reaches the
// collector on 127.0.0.1), enrolled to a tenant whose rules file sets terms.patches with a window opening seconds
// after the agent first lists its updates, and security updates approved automatically. The root's apt has two local repositories: one whose suite is
// bookworm-security (package A's upgrade, and package C's, whose postinst fails) and one plain suite (package B's
// upgrade, never approved). The agent's patches probe lists the three, the collector's planner plans A and C, the link
// delivers the plan, the agent installs it with apt-get and reports. Asserted: A upgraded, B untouched, C failed;
// patch_run and patch_result points in InfluxDB; exactly one patch_failed ticket, naming C.
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, freePort, type Influxd } from '../helpers/influxd.js';
import { until } from '../helpers/until.js';
import { buildAgent } from '../../scripts/build-agent.js';
import type { TicketView } from '../../collector/src/routes/tickets.js';
import { startProc, stopProc, type Proc } from '../helpers/proc.js';
import { serveEnv } from '../helpers/collector-cli.js';
import { buildDeb, cachedDebianRoot, canChroot, ChrootCopy } from '../helpers/debian-root.js';

const run = promisify(execFile);
const COLLECTOR = ['--import', 'tsx', 'collector/src/bin.ts'];
const ADMIN_KEY = 'e2e-patch-admin-key';
const TENANT = 'e2e-patches';
const HOST = hostname();
const CHROOT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const AGENT_IN_ROOT = '/usr/local/bin/watchpost-agent';
const STATE_IN_ROOT = '/var/lib/watchpost-agent';
/** Generous for a loaded 2-core machine; the waits end as soon as the condition holds. */
const WAIT_MS = 90_000;
const [A, B, C] = ['wp-e2e-alpha', 'wp-e2e-bravo', 'wp-e2e-charlie'];
/** From writing the rules file: the collector and the agent start and the patches probe lists the updates first. */
const WINDOW_OPENS_IN_MS = 45_000;

if (!canChroot) console.warn('patch-plan.test.ts: not root on Debian, so the Debian-root end-to-end test is skipped');

/** A repository in `dir` (inside the root) with one suite: dists/<suite>/main/binary-all/Packages and a Release that
 *  names the suite (what `apt list` shows as the archive) and the index's hashes. */
function suiteRepository(dir: string, suite: string, debs: readonly string[]): void {
  const pool = join(dir, 'pool');
  const index = join(dir, 'dists', suite, 'main', 'binary-all');
  mkdirSync(pool, { recursive: true });
  mkdirSync(index, { recursive: true });
  for (const deb of debs) copyFileSync(deb, join(pool, deb.split('/').pop()!));
  const packages = execFileSync('dpkg-scanpackages', ['--multiversion', 'pool', '/dev/null'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(join(index, 'Packages'), packages);
  const sha = createHash('sha256').update(packages).digest('hex');
  const release = [
    'Origin: Watchpost tests',
    `Suite: ${suite}`,
    `Codename: ${suite}`,
    `Date: ${new Date().toUTCString()}`,
    'Architectures: all',
    'Components: main',
    'SHA256:',
    ` ${sha} ${statSync(join(index, 'Packages')).size} main/binary-all/Packages`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'dists', suite, 'Release'), release);
}

/** A daily cron (seconds first, UTC) whose window opens `ms` from now. The window opens just after the agent first
 *  lists its updates: an automatic approval is judged at the window's start and counts only updates the tenant had
 *  seen by then (patching/approval.ts), so a window already open when they are first listed would plan nothing. */
function windowCronIn(ms: number): string {
  const start = new Date(Date.now() + ms);
  return `${start.getUTCSeconds()} ${start.getUTCMinutes()} ${start.getUTCHours()} * * *`;
}

describe.runIf(canChroot)('a plan reaches the compiled agent in a Debian root: approved security updates installed, failures ticketed', () => {
  let dir = '';
  let root: ChrootCopy | undefined;
  let influx: Influxd | undefined;
  let collector: Proc | undefined;
  let agent: Proc | undefined;
  let server = '';
  let env: NodeJS.ProcessEnv = {};

  const cli = (args: string[]) => run(process.execPath, [...COLLECTOR, ...args], { env });
  const logs = () => `\n--- collector log (tail) ---\n${collector?.log().slice(-6_000) ?? ''}\n--- agent log (tail) ---\n${agent?.log().slice(-6_000) ?? ''}`;
  const waitFor = async (check: () => boolean | Promise<boolean>, what: string): Promise<void> => {
    try {
      await until(check, WAIT_MS, what);
    } catch (error) {
      // What the collector knows of the agent's updates and plans: the first thing to read when no plan arrived.
      const patches = await fetch(`${server}/api/v1/patches?tenant=${TENANT}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
        .then((r) => r.text())
        .catch((e: Error) => e.message);
      throw new Error(`${(error as Error).message}\n--- /api/v1/patches ---\n${patches.slice(0, 3_000)}${logs()}`, { cause: error });
    }
  };

  async function influxRows(q: string): Promise<Record<string, unknown>[]> {
    const url = `${influx!.url}/query?db=watchpost&epoch=ms&q=${encodeURIComponent(q)}`;
    const body = (await (await fetch(url)).json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
    if (body.results[0]?.error) throw new Error(`InfluxDB: ${body.results[0].error}`);
    return (body.results[0]?.series ?? []).flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
  }

  const tickets = async (): Promise<TicketView[]> => {
    const response = await fetch(`${server}/api/v1/tickets?tenant=${TENANT}&host=${encodeURIComponent(HOST)}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    if (response.status !== 200) throw new Error(`GET tickets: HTTP ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { tickets: TicketView[] }).tickets;
  };
  const version = (pkg: string): string => root!.exec('dpkg-query', ['-W', '-f', '${Version} ${db:Status-Abbrev}', pkg]).trim();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-e2e-patch-'));
    const [started, built, port] = await Promise.all([
      startInfluxd(),
      buildAgent({ targets: ['linux-x64'], outDir: join(dir, 'bin'), log: () => undefined }),
      freePort(),
    ]);
    influx = started;
    server = `http://127.0.0.1:${port}`;

    // The root: A, B, C at 1.0 installed; their 2.0 in the repositories; apt's lists read once (the agent never does).
    root = new ChrootCopy([cachedDebianRoot()]);
    const r = root.root;
    execFileSync('mount', ['--bind', '/dev', join(r, 'dev')]);
    const debs = join(dir, 'debs');
    mkdirSync(debs);
    const old = [A, B, C].map((name) => buildDeb(debs, { name, version: '1.0' }));
    mkdirSync(join(r, 'tmp/debs'), { recursive: true });
    for (const deb of old) copyFileSync(deb, join(r, 'tmp/debs', deb.split('/').pop()!));
    root.exec('dpkg', ['-i', ...old.map((d) => `/tmp/debs/${d.split('/').pop()!}`)]);
    suiteRepository(join(r, 'srv/security'), 'bookworm-security', [
      buildDeb(debs, { name: A, version: '2.0' }),
      buildDeb(debs, { name: C, version: '2.0', postinst: 'echo "charlie: configuration failed" >&2; exit 1' }),
    ]);
    suiteRepository(join(r, 'srv/plain'), 'bookworm-updates', [buildDeb(debs, { name: B, version: '2.0' })]);
    writeFileSync(
      join(r, 'etc/apt/sources.list'),
      'deb [trusted=yes] file:/srv/security bookworm-security main\ndeb [trusted=yes] file:/srv/plain bookworm-updates main\n',
    );
    rmSync(join(r, 'etc/apt/sources.list.d'), { recursive: true, force: true });
    mkdirSync(join(r, 'etc/apt/sources.list.d'));
    root.exec('apt-get', ['-q', 'update']);
    // Never the machine's own shutdown: a reboot the plan might ask for is only recorded.
    writeFileSync(join(r, 'usr/local/sbin/shutdown'), '#!/bin/sh\necho "$@" >> /var/log/watchpost-shutdown\n', { mode: 0o755 });
    copyFileSync(built[0]!.path, join(r, AGENT_IN_ROOT.slice(1)));
    execFileSync('chmod', ['755', join(r, AGENT_IN_ROOT.slice(1))]);

    // Security updates approved without a person, a daily 1-minute window opening in 45 s (windowCronIn), no reboot. The
    // window holds tickets as a maintenance window does (patching/hold.ts): a failure is ticketed once it has closed.
    const rulesFile = join(dir, 'rules.yaml');
    writeFileSync(
      rulesFile,
      [
        'tenants:',
        `  ${TENANT}:`,
        '    terms:',
        '      sla_profile: co-managed-24x7',
        '      maintenance_exit_grace: 1s',
        '      patches:',
        '        auto_approve: [security]',
        `        window: { cron: "${windowCronIn(WINDOW_OPENS_IN_MS)}", duration: 1m }`,
        '        reboot: { mode: never }',
        '',
      ].join('\n'),
    );
    // The patches probe every 10 s for this tenant (its default is 4 h).
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(policyFile, ['tenants:', `  ${TENANT}:`, '    probes:', '      patches: { schedule: "*/10 * * * * *" }', ''].join('\n'));
    env = serveEnv(
      { port, influxUrl: influx.url, dataDir: join(dir, 'collector'), adminKey: ADMIN_KEY },
      { WATCHPOST_RULES_FILE: rulesFile, WATCHPOST_POLICY_FILE: policyFile, WATCHPOST_LOG_LEVEL: 'info' },
    );
    await cli(['tenant', 'add', TENANT, '--name', 'Patching end to end']);
    collector = startProc(process.execPath, [...COLLECTOR, 'serve'], env);
    await waitFor(async () => (await fetch(`${server}/healthz`).catch(() => null))?.status === 200, 'collector /healthz');

    const { stdout: token } = await cli(['token', 'create', '--tenant', TENANT, '--expires', '10m', '--uses', '1']);
    const inRoot = { PATH: CHROOT_PATH, LC_ALL: 'C' };
    await run('chroot', [r, AGENT_IN_ROOT, 'enroll', '--server', server, '--token', token.trim(), '--state-dir', STATE_IN_ROOT], { env: inRoot });
    agent = startProc('chroot', [r, AGENT_IN_ROOT, 'run', '--state-dir', STATE_IN_ROOT], inRoot);
  }, 600_000);

  afterAll(async () => {
    try {
      await stopProc(agent);
      await stopProc(collector);
      await influx?.stop();
    } finally {
      try {
        root?.remove();
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('installs A, leaves B, reports C failed in InfluxDB and opens exactly one ticket for it', async () => {
    // The probe's view first: three upgradable, two of them security (A and C).
    expect(
      root!
        .exec('apt', ['list', '--upgradable'])
        .split('\n')
        .filter((l) => l.startsWith('wp-e2e-'))
        .sort(),
    ).toEqual([
      `${A}/bookworm-security 2.0 all [upgradable from: 1.0]`,
      `${B}/bookworm-updates 2.0 all [upgradable from: 1.0]`,
      `${C}/bookworm-security 2.0 all [upgradable from: 1.0]`,
    ]);

    const tenant = `tenant = '${TENANT}'`;
    await waitFor(async () => (await influxRows(`SELECT * FROM patch_run WHERE ${tenant}`)).length > 0, 'a patch_run point in InfluxDB');
    const [runPoint] = await influxRows(`SELECT * FROM patch_run WHERE ${tenant}`);
    expect(runPoint).toMatchObject({ host: HOST, approved: 2, installed: 1, failed: 1, not_applicable: 0, not_started: 0, rebooted: false });
    expect(String(runPoint!.plan_id)).toMatch(/^pl_/);
    const results = await influxRows(`SELECT * FROM patch_result WHERE ${tenant}`);
    expect(results.map((p) => [p.id, p.manager, p.outcome, p.plan_id]).sort()).toEqual([
      [A, 'apt', 'installed', runPoint!.plan_id],
      [C, 'apt', 'failed', runPoint!.plan_id],
    ]);
    expect(String(results.find((p) => p.id === C)!.detail)).toContain(C);

    // On the machine: A upgraded, B untouched (not approved: not security), C unpacked but not configured.
    expect(version(A)).toBe('2.0 ii');
    expect(version(B)).toBe('1.0 ii');
    expect(version(C)).toMatch(/^2\.0 i[FU]$/);
    expect(readFileSync(join(root!.root, STATE_IN_ROOT.slice(1), 'patching/completed.json'), 'utf8')).toContain(String(runPoint!.plan_id));

    // The shipped patch_failed rule: nothing while the window is open (it holds tickets), then one ticket naming C.
    expect((await tickets()).filter((t) => t.ruleId === 'patch_failed')).toEqual([]);
    await waitFor(async () => (await tickets()).some((t) => t.ruleId === 'patch_failed'), 'a patch_failed ticket after the window');
    const failed = (await tickets()).filter((t) => t.ruleId === 'patch_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ tenant: TENANT, host: HOST, status: 'open' });
    expect(failed[0]!.summary).toContain(C);
    expect(failed[0]!.summary).not.toContain(A);
    // A later run of the patches probe must not bring the plan back (its id is completed; C is retried next window).
    expect((await influxRows(`SELECT count(approved) FROM patch_run WHERE ${tenant}`))[0]?.count).toBe(1);
  }, 180_000);
});
