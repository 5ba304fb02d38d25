// Which config keys a SIGHUP applies: the reloadable ones come from the new file, every other key keeps its
// running value and is reported as needing a restart.
import { describe, expect, it } from 'vitest';
import { leafKeys, loadConfig } from '../../../collector/src/config/config.js';
import { applyReloadable, changedKeys, RELOADABLE_KEYS } from '../../../collector/src/config/reload.js';

const config = (env: Record<string, string> = {}) => loadConfig({ env });

describe('config reload', () => {
  it('names only keys of the schema', () => {
    const paths = new Set(leafKeys().map((k) => k.path));
    for (const key of RELOADABLE_KEYS) expect(paths.has(key), key).toBe(true);
  });

  it('splits the changed keys into reloaded and restart-only, and applies only the reloaded ones', () => {
    const before = config();
    const after = config({
      WATCHPOST_RELEASES_DIR: '/srv/releases',
      WATCHPOST_LOG_LEVEL: 'debug',
      WATCHPOST_LIMITS_IP_ATTEMPT_BURST: '7',
      WATCHPOST_LISTEN: '0.0.0.0:9000',
      WATCHPOST_ADMIN_KEY: 'another-key',
    });
    expect(changedKeys(before, after)).toEqual({ reloaded: ['logLevel', 'limits.ipAttemptBurst', 'releases.dir'], restart: ['listen', 'adminKey'] });
    const applied = applyReloadable(before, after);
    expect(applied).toMatchObject({ logLevel: 'debug', listen: before.listen, adminKey: before.adminKey, releases: { dir: '/srv/releases' } });
    expect(applied.limits.ipAttemptBurst).toBe(7);
    expect(before.releases.dir).toBe('');
    expect(changedKeys(before, before)).toEqual({ reloaded: [], restart: [] });
  });
});
