// `watchpost-agent enroll --ca/--fingerprint` and `run` as a user runs them (a subprocess), over real TLS: a real
// collector behind a TLS-terminating proxy (tls-proxy.ts) with certificates openssl made at test time.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { IDENTITY_FILE, loadIdentity } from '../../../agent/src/identity/state.js';
import { readStatus } from '../../../agent/src/commands/status.js';
import { useCollector } from '../../helpers/collector.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';
import { cliEnv, runCli, spawnCli, untilDelivering } from '../helpers/cli.js';
import { until } from '../helpers/until.js';
import { freePort } from '../../helpers/influxd.js';

const { collector, sink } = useCollector();
let certDir: string;
let certs: TestCerts;
let proxy: TlsProxy;
let stateDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'wp-tls-cli-'));
  certs = makeTestCerts(certDir);
  proxy = await startTlsProxy(Number(new URL(collector().baseUrl).port), certs.server);
});
afterAll(async () => {
  await proxy.close();
  rmSync(certDir, { recursive: true, force: true });
});
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'wp-agent-state-'));
  env = cliEnv({ WATCHPOST_STATE_DIR: stateDir });
  proxy.useCert(certs.server);
});
afterEach(() => {
  collector().retire(hostname()); // each test enrolls another machine of this name
  rmSync(stateDir, { recursive: true, force: true });
});

const token = (): string => collector().store.tokens.create({ tenant: 'acme', expiresAt: Date.now() + 60_000, uses: 1 }).token;
const enroll = (...flags: string[]) => runCli(['enroll', '--server', proxy.baseUrl, '--token', token(), ...flags], env);
const agentCount = (): number => collector().store.agents.list().length;

describe('enroll over https with a pinned CA', () => {
  it("--ca: enrolls, and identity.json (0600) holds the CA's PEM content, not its path", async () => {
    const r = await enroll('--ca', certs.ca.certPath);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pinned CA');
    const identity = loadIdentity(stateDir);
    expect(identity).toMatchObject({ server: proxy.baseUrl, tenant: 'acme', tls: { ca: certs.ca.cert } });
    expect(identity?.tls?.fingerprint).toBeUndefined();
    expect(JSON.stringify(identity)).not.toContain(certDir);
    expect(statSync(join(stateDir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('a server certificate the pinned CA did not sign: exit 1 saying so, no identity, no agent', async () => {
    proxy.useCert(certs.rogue);
    const agents = agentCount();
    const r = await enroll('--ca', certs.ca.certPath);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `TLS check of the collector at ${proxy.baseUrl} failed: the collector's certificate is not trusted by the pinned CA (--ca): self-signed certificate`,
    );
    expect(readdirSync(stateDir)).toEqual([]);
    expect(agentCount()).toBe(agents);
  });

  it('--ca replaces the system store: a CA the process trusts (NODE_EXTRA_CA_CERTS) is no longer enough', async () => {
    const trusting = { ...env, NODE_EXTRA_CA_CERTS: certs.ca.certPath };
    const plain = await runCli(['enroll', '--server', proxy.baseUrl, '--token', token()], trusting);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0); // the system store (with the extra CA) accepts the collector
    const pinnedElsewhere = await runCli(['enroll', '--force', '--server', proxy.baseUrl, '--token', token(), '--ca', certs.rogue.certPath], trusting);
    expect(pinnedElsewhere.code).toBe(1);
    expect(pinnedElsewhere.stderr).toContain('not trusted by the pinned CA (--ca)');
    expect(loadIdentity(stateDir)?.tls).toBeUndefined(); // the first identity stays
  });

  it('without --ca, a private CA is refused as not trusted by the system store', async () => {
    const r = await enroll();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not trusted by the system's CA store");
  });
});

describe('enroll with --fingerprint', () => {
  it('the right fingerprint, given as lower-case hex, enrolls and is stored as AA:BB:…', async () => {
    const hex = certs.server.fingerprint.replace(/:/g, '').toLowerCase();
    const r = await enroll('--ca', certs.ca.certPath, '--fingerprint', hex);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(loadIdentity(stateDir)?.tls).toEqual({ ca: certs.ca.cert, fingerprint: certs.server.fingerprint });
  });

  it('alone, on top of the system store', async () => {
    const r = await runCli(['enroll', '--server', proxy.baseUrl, '--token', token(), '--fingerprint', certs.server.fingerprint], {
      ...env,
      NODE_EXTRA_CA_CERTS: certs.ca.certPath,
    });
    expect(r.code).toBe(0);
    expect(loadIdentity(stateDir)?.tls).toEqual({ fingerprint: certs.server.fingerprint });
  });

  it('a wrong fingerprint exits 1 naming the expected and the presented fingerprints', async () => {
    const agents = agentCount();
    const r = await enroll('--ca', certs.ca.certPath, '--fingerprint', certs.rotated.fingerprint);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`certificate fingerprint mismatch: expected ${certs.rotated.fingerprint}, got ${certs.server.fingerprint}`);
    expect(existsSync(join(stateDir, IDENTITY_FILE))).toBe(false);
    expect(agentCount()).toBe(agents);
  });
});

describe('enroll usage errors (exit 2, naming the flag)', () => {
  it.each(['--ca', '--fingerprint'])('%s with an http:// server', async (flag) => {
    const value = flag === '--ca' ? certs.ca.certPath : certs.server.fingerprint;
    const r = await runCli(['enroll', '--server', collector().baseUrl, '--token', token(), flag, value], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag} pins the collector's TLS certificate and needs an https:// server`);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it('--fingerprint that is not a SHA-256 fingerprint', async () => {
    const r = await enroll('--fingerprint', 'AB:CD');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--fingerprint: expected a SHA-256 fingerprint');
    expect(r.stderr).toContain('"AB:CD"');
  });

  it('--ca that cannot be read, or holds no certificate', async () => {
    const missing = await enroll('--ca', join(certDir, 'nope.pem'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--ca: cannot read ${join(certDir, 'nope.pem')}: ENOENT`);
    const keyOnly = join(stateDir, 'key.pem');
    writeFileSync(keyOnly, certs.ca.key);
    const noCert = await enroll('--ca', keyOnly);
    expect(noCert.code).toBe(2);
    expect(noCert.stderr).toContain(`--ca: ${keyOnly}: no PEM certificate`);
  });
});

describe('enroll over plain http', () => {
  it('to a host that is not loopback warns that credentials travel in clear text, and goes on', async () => {
    // A name that is not loopback to the agent's check, resolved to 127.0.0.1 by the preloaded lookup.
    const server = `http://collector.watchpost-test:${await freePort()}`;
    const preload = fileURLToPath(new URL('../helpers/loopback-dns.mjs', import.meta.url));
    const r = await runCli(['enroll', '--server', server, '--token', token()], { ...env, NODE_OPTIONS: `--import ${preload}` });
    expect(r.stderr).toContain(`warning: ${server} is plain http and not loopback: credentials will travel in clear text`);
    expect(r.stderr).toContain(`cannot reach the collector at ${server}: ECONNREFUSED`); // it did try
    expect(r.code).toBe(1);
  });

  it('to loopback says nothing', async () => {
    const r = await runCli(['enroll', '--server', collector().baseUrl, '--token', token()], env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('run over wss with the pin from identity.json', () => {
  it('connects and delivers, then shows the reason in status when the collector presents another certificate', async () => {
    expect((await enroll('--ca', certs.ca.certPath, '--fingerprint', certs.server.fingerprint)).code).toBe(0);
    const agent = spawnCli(['run', '--every', '1s'], env);
    try {
      await untilDelivering(stateDir);
      expect(sink.lines.flat().some((l) => l.startsWith('agent,') && l.includes('tenant=acme'))).toBe(true);
      // the collector's certificate changes and the connection drops: the agent keeps running and says why
      proxy.useCert(certs.rotated);
      proxy.dropConnections();
      const mismatch = `certificate fingerprint mismatch: expected ${certs.server.fingerprint}, got ${certs.rotated.fingerprint}`;
      await until(
        'status.json to show the mismatch',
        () => readStatus(stateDir).status?.lastError === mismatch,
        20_000,
        () => readStatus(stateDir).status,
      );
      const status = await runCli(['status'], env);
      expect(status.stdout).toContain(`link: disconnected, retrying at`);
      expect(status.stdout).toContain(`(last error: ${mismatch})`);
      expect(readStatus(stateDir).running).toBe(true);
    } finally {
      agent.kill('SIGTERM');
    }
    const exit = await agent.result;
    expect(exit.stderr).toContain(`link: ${'certificate fingerprint mismatch'}`);
    expect(exit.code).toBe(0);
  });
});
