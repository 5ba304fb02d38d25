// Guessing API keys against the real collector: each source IP may fail FAILED_ATTEMPT_BURST times, then gets 429
// with Retry-After (counted in /metrics, logged) until its bucket refills, whatever key it sends; other addresses
// and requests with a good key are not slowed. And the release download route is rate limited per source IP.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_ATTEMPT_BURST } from '../../../collector/src/routes/api-auth.js';
import { ADMIN_KEY, RecordingSink, startCollector, type TestCollector } from '../../helpers/collector.js';

const logs = new PassThrough();
let captured = '';
logs.on('data', (chunk: Buffer) => (captured += chunk.toString()));
let c: TestCollector;
beforeAll(async () => {
  c = await startCollector({ sink: new RecordingSink(), logStream: logs, env: { WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '5' } });
});
afterAll(async () => c.close());

const WRONG = 'wpk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const get = (url: string, key: string | undefined, remoteAddress: string) =>
  c.app.inject({ url, remoteAddress, ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}) });
const metric = async (reason: string) => {
  const text = (await c.app.inject({ url: '/metrics' })).body;
  return Number(new RegExp(`watchpost_rejections_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
};

describe('failed API key attempts', () => {
  it('are answered 429 with Retry-After past the burst, for any key from that address, and counted and logged', async () => {
    const attacker = '203.0.113.7';
    const { key } = c.store.apiKeys.create({ name: 'ops' });
    for (let i = 0; i < FAILED_ATTEMPT_BURST; i++) {
      const res = await get('/api/v1/agents', i % 2 ? WRONG : `${ADMIN_KEY}x`, attacker);
      expect(res.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const limited = await get('/api/v1/tickets', WRONG, attacker);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A right guess from there is not answered either: that would keep the guessing going.
    expect((await get('/api/v1/agents', ADMIN_KEY, attacker)).statusCode).toBe(429);
    expect((await get('/api/v1/agents', undefined, attacker)).statusCode).toBe(429);
    // Another address, and good keys, are not affected.
    expect((await get('/api/v1/agents', key, '198.51.100.9')).statusCode).toBe(200);
    expect((await get('/api/v1/agents', WRONG, '198.51.100.9')).statusCode).toBe(401);

    expect(await metric('api_key_refused')).toBe(FAILED_ATTEMPT_BURST + 1);
    expect(await metric('rate_limited')).toBeGreaterThanOrEqual(3);
    const lines = captured.split('\n').filter((l) => l.includes(attacker));
    expect(lines.filter((l) => l.includes('API request refused: bad API key'))).toHaveLength(FAILED_ATTEMPT_BURST);
    expect(lines.some((l) => l.includes('API request refused: too many failed API key attempts'))).toBe(true);
  });

  it('never slow a client whose key is right', async () => {
    const client = '192.0.2.44';
    for (let i = 0; i < FAILED_ATTEMPT_BURST - 1; i++) expect((await get('/api/v1/agents', WRONG, client)).statusCode).toBe(401);
    for (let i = 0; i < 10 * FAILED_ATTEMPT_BURST; i++) expect((await get('/api/v1/tickets', ADMIN_KEY, client)).statusCode, `request ${i + 1}`).toBe(200);
  });
});

describe('release downloads', () => {
  it('are rate limited per source IP (429 with Retry-After), sharing the budget of upgrades and enrollments', async () => {
    const url = '/api/v1/releases/0.2.0/linux-x64';
    for (let i = 0; i < 5; i++) expect((await get(url, `wpa_${'0'.repeat(32)}.${'A'.repeat(43)}`, '203.0.113.99')).statusCode).toBe(401);
    const limited = await get(url, undefined, '203.0.113.99');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await get(url, undefined, '198.51.100.10')).statusCode).toBe(401);
  });
});
