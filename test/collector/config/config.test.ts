import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, leafKeys, loadConfig, parseListen } from '../../../collector/src/config/config.js';
import { ConfigError } from '../../../collector/src/errors.js';
import { sampleConfig } from '../../../collector/src/config/sample-config.js';

const dir = mkdtempSync(join(tmpdir(), 'wp-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('collector config', () => {
  it('has defaults for everything, so no file and no environment is a valid config', () => {
    const config = loadConfig({ env: {} });
    expect(config.listen).toBe('127.0.0.1:8420');
    expect(config.influx.database).toBe('watchpost');
    expect(config.agents.maxPayloadBytes).toBe(1024 * 1024);
  });

  it('reads YAML and lets the environment override each key, including the documented short names', () => {
    const path = file('ok.yaml', 'listen: "0.0.0.0:9000"\ninflux:\n  url: http://db:8086\n  batchSize: 10\n');
    const config = loadConfig({
      file: path,
      env: { WATCHPOST_INFLUX_BATCH_SIZE: '20', WATCHPOST_INFLUX_DB: 'msp', WATCHPOST_DATA_DIR: '/srv/wp', WATCHPOST_ADMIN_KEY: 'k' },
    });
    expect(config).toMatchObject({
      listen: '0.0.0.0:9000',
      dataDir: '/srv/wp',
      adminKey: 'k',
      influx: { url: 'http://db:8086', batchSize: 20, database: 'msp' },
    });
  });

  it.each([
    ['influx:\n  batchSize: lots\n', 'influx.batchSize: Expected integer'],
    ['bogus: 1\n', 'bogus: unknown key'],
    ['influx:\n  url: ftp://x\n', 'influx.url: expected an http:// or https:// URL'],
    ['influx:\n  flushInterval: soon\n', 'influx.flushInterval: expected a duration like 30s, 5m, 7d'],
    ['listen: nowhere\n', 'listen: expected host:port'],
    ['- a list\n', 'expected a mapping'],
    ['key: [unclosed\n', 'not valid YAML'],
    ['adminKey: "sha256:abc"\n', 'adminKey:'],
    ['tls:\n  cert: /etc/ssl/c.pem\n', 'tls.key: required when tls.cert is set'],
    ['tls:\n  key: /etc/ssl/k.pem\n', 'tls.cert: required when tls.key is set'],
    ['agents:\n  framesPerSecond: 0\n', 'agents.framesPerSecond:'],
    ['http:\n  headersTimeout: soon\n', 'http.headersTimeout: expected a duration like 30s, 5m, 7d'],
  ])('names the key of a bad value: %j', (yaml, message) => {
    const path = file(`bad-${Math.random()}.yaml`, yaml);
    expect(() => loadConfig({ file: path, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file: path, env: {} })).toThrow(message);
  });

  it('reads booleans and the hashed admin key from the environment', () => {
    const hashed = 'sha256:' + 'ab'.repeat(32);
    expect(loadConfig({ env: { WATCHPOST_AGENTS_ALLOW_PLAIN_REMOTE: 'true', WATCHPOST_ADMIN_KEY: hashed } })).toMatchObject({
      adminKey: hashed,
      agents: { allowPlainRemote: true },
    });
  });

  it('leaves the bad value out of the message: it may be a secret', () => {
    const key = 'sha256:not-a-digest-but-a-secret';
    expect(() => loadConfig({ env: { WATCHPOST_ADMIN_KEY: key } })).toThrow(
      'adminKey: expected a key, or "sha256:" and 64 hex digits (from WATCHPOST_ADMIN_KEY)',
    );
    expect(() => loadConfig({ env: { WATCHPOST_ADMIN_KEY: key } })).not.toThrow(key);
  });

  it('names the environment variable when a bad value came from it', () => {
    expect(() => loadConfig({ env: { WATCHPOST_AGENTS_MAX_PAYLOAD_BYTES: 'big' } })).toThrow(
      'agents.maxPayloadBytes: Expected integer (from WATCHPOST_AGENTS_MAX_PAYLOAD_BYTES)',
    );
  });

  it('derives an environment variable for every key', () => {
    expect(leafKeys().map((k) => envName(k.path))).toEqual(
      expect.arrayContaining([
        'WATCHPOST_LISTEN',
        'WATCHPOST_INFLUX_URL',
        'WATCHPOST_INFLUX_DB',
        'WATCHPOST_DATA_DIR',
        'WATCHPOST_ADMIN_KEY',
        'WATCHPOST_INFLUX_BATCH_SIZE',
      ]),
    );
  });

  it('splits listen addresses, IPv6 included', () => {
    expect(parseListen('127.0.0.1:8420')).toEqual({ host: '127.0.0.1', port: 8420 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(() => parseListen('x:99999')).toThrow('listen');
  });

  it('ships a sample config that is current and itself valid', () => {
    const committed = readFileSync('collector/watchpost-collector.sample.yaml', 'utf8');
    expect(committed, 'stale sample config: run npm run gen').toBe(sampleConfig());
    expect(loadConfig({ file: 'collector/watchpost-collector.sample.yaml', env: {} })).toEqual(loadConfig({ env: {} }));
  });
});
