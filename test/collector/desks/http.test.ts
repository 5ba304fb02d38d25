// The HTTP classifier under every connector, against a real local server: a redirect is a configuration failure,
// never followed (the credentials would go with it) and never retried.
import { describe, expect, it } from 'vitest';
import { request } from '../../../collector/src/desks/http.js';
import { startReceiver } from './receiver.js';
import { cleanupsAfterEach } from '../../helpers/cleanups.js';

const cleanups = cleanupsAfterEach();

describe('request', () => {
  it.each([301, 302, 307, 308])('a %i answer fails for good, naming where it pointed, and is not followed', async (status) => {
    const desk = await startReceiver();
    const elsewhere = await startReceiver();
    cleanups.push(
      () => desk.close(),
      () => elsewhere.close(),
    );
    desk.answer = () => ({ status, headers: { location: `${elsewhere.url}/login?token=s3cret-token` } });
    const outcome = await request({
      method: 'POST',
      url: `${desk.url}/api/tickets`,
      headers: { authorization: 'Bearer s3cret-token' },
      body: { a: 1 },
      signal: new AbortController().signal,
      fetch,
      now: Date.now,
      secrets: ['s3cret-token'],
    });
    expect(outcome).toEqual({
      ok: false,
      result: {
        kind: 'failed',
        reason: `POST /api/tickets: HTTP ${status}: the desk answered a redirect to ${elsewhere.url}/login?token=[redacted]; check the desk's base URL (redirects are not followed)`,
      },
    });
    expect(elsewhere.received).toEqual([]);
  });
});
