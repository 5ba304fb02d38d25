// The agent CLI as a user runs it: a subprocess (node --import tsx agent/src/cli.ts), its exit codes, stdout and
// stderr, against temp state directories and, for enroll and run, a real collector app in this process.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_FILE, STATUS_FILE, loadIdentity, saveIdentity, writeJsonAtomic } from '../../agent/src/identity/state.js';
import { readStatus } from '../../agent/src/commands/status.js';
import { requestEnrollment } from '../../agent/src/commands/enroll.js';
import { probes } from '../../agent/src/probes/index.js';
import { parseAgentCredential } from '../../collector/src/store/index.js';
import { RecordingSink, startCollector, type TestCollector } from '../helpers/collector.js';
import { cliEnv, runCli, spawnCli, untilDelivering } from './helpers/cli.js';
import { freePort } from '../helpers/influxd.js';

const sink = new RecordingSink();
let collector: TestCollector;
let stateDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  collector = await startCollector({ sink });
});
afterAll(async () => {
  await collector.close();
});
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'wp-agent-state-'));
  env = cliEnv({ WATCHPOST_STATE_DIR: stateDir });
});
afterEach(() => {
  collector.retire(hostname()); // each test enrolls another machine of this name
  rmSync(stateDir, { recursive: true, force: true });
});

const enrolled = (): void => {
  const { agentId, credential } = collector.enroll();
  saveIdentity(stateDir, { server: collector.baseUrl, agentId, tenant: 'acme', credential, enrolledAt: new Date().toISOString() });
};

describe('usage', () => {
  it('--version prints the name and version', async () => {
    const r = await runCli(['--version'], env);
    expect(r).toMatchObject({ code: 0, stdout: 'watchpost-agent 0.1.0\n' });
  });

  it('an unknown flag exits 2 and names the flag', async () => {
    const r = await runCli(['status', '--frobnicate'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--frobnicate');
    expect(r.stderr).toContain('usage: watchpost-agent status');
  });

  it('an unknown command exits 2 and names it', async () => {
    const r = await runCli(['frobnicate'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('no command exits 2 with the usage', async () => {
    const r = await runCli([], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('usage: watchpost-agent <command>');
  });

  it('collect without --once exits 2', async () => {
    const r = await runCli(['collect'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--once is required');
  });

  it('run --every without a unit exits 2 naming the value', async () => {
    const r = await runCli(['run', '--every', '10'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"10"');
    expect(r.stderr).toContain('unit');
  });
});

describe('collect --once', () => {
  interface JsonSample {
    measurement: string;
    tags: Record<string, string>;
    fields: Record<string, unknown>;
    time: string;
  }

  it('--json prints every probe by name, each a list of samples tagged with this host and tenant "unenrolled"', async () => {
    const r = await runCli(['collect', '--once', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, JsonSample[]>;
    expect(Object.keys(out).sort()).toEqual(Object.keys(probes).sort());
    // These always have something to say on a Linux machine; the others (antivirus, services, ...) may not.
    for (const name of ['cpu', 'disk', 'inventory', 'mem', 'net', 'system']) expect(out[name]?.length, name).toBeGreaterThan(0);
    // A probe's measurements are named after it (patches -> patches, patches_pending), antivirus also firewalls.
    const ownMeasurement = (probe: string, measurement: string) =>
      measurement === probe || measurement.startsWith(`${probe}_`) || (probe === 'antivirus' && measurement === 'firewall_products');
    for (const [name, samples] of Object.entries(out)) {
      for (const s of samples) {
        expect(Object.keys(s).sort()).toEqual(['fields', 'measurement', 'tags', 'time']);
        expect(ownMeasurement(name, s.measurement), `${name} emitted ${s.measurement}`).toBe(true);
        expect(s.tags).toMatchObject({ host: hostname(), tenant: 'unenrolled' });
        expect(Object.keys(s.fields).length).toBeGreaterThan(0);
        expect(new Date(s.time).toISOString()).toBe(s.time);
      }
    }
    expect(out.mem?.[0]?.fields.total).toEqual(expect.any(Number));
    expect(existsSync(join(stateDir, IDENTITY_FILE))).toBe(false);
  });

  it('tags with the enrolled tenant, and prints line-protocol-like text without --json', async () => {
    enrolled();
    const r = await runCli(['collect', '--once'], env);
    expect(r.code).toBe(0);
    const memLine = r.stdout.split('\n').find((l) => l.startsWith('mem,'));
    expect(memLine).toMatch(/^mem,host=\S+,tenant=acme .*\btotal=\d+i\b/);
  });
});

describe('status', () => {
  it('exits 1 and says "not enrolled" when there is no identity', async () => {
    const r = await runCli(['status'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not enrolled');
    expect(r.stdout).toContain(stateDir);
  });

  it('--json on an enrolled state dir with no running agent says running false', async () => {
    enrolled();
    const r = await runCli(['status', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: true, running: false, stateDir, tenant: 'acme', server: collector.baseUrl });
  });

  it('--json does not take a fresh status file of a process that has exited for a running agent', async () => {
    enrolled();
    const dead = spawnCli(['--version'], env); // a pid that existed and has exited
    expect((await dead.result).code).toBe(0);
    writeJsonAtomic(
      join(stateDir, STATUS_FILE),
      {
        pid: dead.pid,
        updatedAt: new Date().toISOString(),
        connected: true,
        lastAckAt: null,
        lastError: null,
        spool: { batches: 0, bytes: 0 },
        counters: { pointsProduced: 1, pointsAcked: 1, pointsDropped: 0, pointsRejected: 0 },
      },
      0o644,
    );
    const r = await runCli(['status', '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: true, running: false, connected: false, pid: dead.pid });
  });

  it('shows what the collector answered: its last error while it cannot store, and the last refused samples', async () => {
    saveIdentity(stateDir, {
      server: collector.baseUrl,
      agentId: 'ag_status',
      tenant: 'acme',
      credential: 'wpa_ag_status.secret',
      enrolledAt: new Date().toISOString(),
    });
    const rejectedAt = '2024-05-01T10:00:00.000Z';
    writeJsonAtomic(
      join(stateDir, STATUS_FILE),
      {
        pid: process.pid, // a running agent: this test process is alive
        updatedAt: new Date().toISOString(),
        connected: true,
        lastAckAt: rejectedAt,
        lastError: 'collector: cannot store now: InfluxDB unreachable',
        lastRejection: { at: rejectedAt, seq: 17, points: 3, reason: 'measurement "x" is outside the agent namespace' },
        spool: { batches: 2, bytes: 300, kind: 'disk', error: null },
        counters: {
          pointsProduced: 20,
          pointsAcked: 7,
          pointsDropped: 0,
          pointsRejected: 3,
          pointsDroppedBy: { full: 0, disk_full: 0, io_error: 0, corrupt: 0 },
        },
      },
      0o644,
    );
    const text = await runCli(['status'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('link: connected (last error: collector: cannot store now: InfluxDB unreachable)');
    expect(text.stdout).toContain(`last rejection: 3 points of batch 17 at ${rejectedAt}: measurement "x" is outside the agent namespace`);
    expect(text.stdout).toContain('acked 7, dropped 0, rejected 3');
    const json = await runCli(['status', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      running: true,
      connected: true,
      lastError: 'collector: cannot store now: InfluxDB unreachable',
      lastRejection: { at: rejectedAt, seq: 17, points: 3, reason: 'measurement "x" is outside the agent namespace' },
      counters: { pointsAcked: 7, pointsRejected: 3 },
    });
  });
});

describe('enroll', () => {
  it('trades a token for a credential and writes identity.json readable by the owner only', async () => {
    const { token } = collector.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    const r = await runCli(['enroll', '--server', collector.baseUrl, '--token', token], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const identity = loadIdentity(stateDir);
    expect(identity).toMatchObject({ server: collector.baseUrl, tenant: 'acme' });
    expect(r.stdout).toContain(`enrolled as ${identity?.agentId} (tenant acme)`);
    expect(r.stdout).not.toContain(identity?.credential);
    expect(statSync(join(stateDir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    // the credential is the one the collector knows for that agent
    const parsed = parseAgentCredential(`Bearer ${identity?.credential}`);
    expect(parsed?.agentId).toBe(identity?.agentId);
    expect(collector.store.agents.authenticate(parsed!.agentId, parsed!.secret)?.hostname).toBe(hostname());
  });

  it('refuses to enroll twice without --force', async () => {
    enrolled();
    const before = loadIdentity(stateDir);
    const { token } = collector.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    const r = await runCli(['enroll', '--server', collector.baseUrl, '--token', token], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already enrolled');
    expect(loadIdentity(stateDir)).toEqual(before);
  });

  it("a used-up token exits 1 with the collector's reason and creates no agent", async () => {
    const { token } = collector.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
    expect(collector.store.enrollWithToken(token, { hostname: 'other', os: 'linux', arch: 'x64', agentVersion: 'test' }).ok).toBe(true);
    const agents = collector.store.agents.list().length;
    const r = await runCli(['enroll', '--server', collector.baseUrl, '--token', token], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('used up');
    expect(collector.store.agents.list()).toHaveLength(agents);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it("an unknown token exits 1 with the collector's reason and creates no agent", async () => {
    const agents = collector.store.agents.list().length;
    const token = `wpe_0123456789abcdef_${'A'.repeat(43)}`;
    const r = await runCli(['enroll', '--server', collector.baseUrl, '--token', token], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown');
    expect(collector.store.agents.list()).toHaveLength(agents);
    expect(existsSync(join(stateDir, IDENTITY_FILE))).toBe(false);
  });

  it('an unreachable server exits 1 with "cannot reach"', async () => {
    const server = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(['enroll', '--server', server, '--token', 'wpe_whatever'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the collector at ${server}`);
    expect(existsSync(join(stateDir, IDENTITY_FILE))).toBe(false);
  });

  it('keeps the path of a collector behind a reverse proxy (https://host/watchpost)', async () => {
    // A plain HTTP server standing in for the proxy: it records the path asked for and forwards to the collector.
    const paths: string[] = [];
    const proxy = createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const target = collector.baseUrl + (req.url ?? '').replace(/^\/watchpost/, '');
        void fetch(target, { method: req.method, headers: { 'content-type': 'application/json' }, body }).then(async (answer) =>
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()),
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const address = proxy.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const { token } = collector.store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 });
      const answer = await requestEnrollment(`http://127.0.0.1:${port}/watchpost/`, token);
      expect(paths).toEqual(['/watchpost/api/v1/enroll']);
      expect(answer.tenant).toBe('acme');
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('a server URL that is not http(s) exits 2', async () => {
    const r = await runCli(['enroll', '--server', 'ftp://collector', '--token', 't'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--server');
  });
});

describe('run', () => {
  it('exits 1 when not enrolled', async () => {
    const r = await runCli(['run', '--every', '1s'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not enrolled');
  });

  it('reports to a real collector until SIGTERM, then exits 0', async () => {
    enrolled();
    const agent = spawnCli(['run', '--every', '1s', '--state-dir', stateDir], cliEnv());
    try {
      await untilDelivering(stateDir);
      const status = await runCli(['status', '--json', '--state-dir', stateDir], cliEnv());
      expect(status.code).toBe(0);
      const json = JSON.parse(status.stdout) as { running: boolean; connected: boolean; pid: number; counters: { pointsAcked: number } };
      expect(json).toMatchObject({ enrolled: true, running: true, connected: true, pid: agent.pid });
      expect(json.counters.pointsAcked).toBeGreaterThan(0);
      const lines = sink.lines.flat();
      expect(lines.some((l) => l.startsWith(`cpu,`) && l.includes('tenant=acme'))).toBe(true);
      expect(lines.some((l) => l.startsWith('agent,'))).toBe(true);
    } finally {
      agent.kill('SIGTERM');
    }
    const exit = await Promise.race([
      agent.result,
      new Promise<never>((_, reject) => setTimeout(() => (agent.kill('SIGKILL'), reject(new Error('run did not exit within 10 s of SIGTERM'))), 10_000)),
    ]);
    expect(exit.stderr).toContain('agent: stopping');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(readStatus(stateDir).running).toBe(false);
  });
});
