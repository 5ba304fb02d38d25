// `watchpost-collector rules show` as a technician checks an override: the host's levels, priorities and calendar
// after every layer; an unknown tenant refused with the nearest one; the rules file's unknown tenants warned about.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../collector/src/store/index.js';
import { collectorCli } from '../helpers/collector-cli.js';

function setup(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cli-rules-'));
  const store = openStore(join(dir, 'watchpost.db'));
  store.tenants.add({ id: 'acme', name: 'Acme' });
  store.close();
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(
    rulesFile,
    `tenants:
  acme:
    terms: { calendar: acme-office }
    calendars:
      acme-office: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], hours: [{ start: "08:00", end: "17:30" }], holidays: ["2026-12-24"] }
    hosts:
      sql01: { role: server, rules: [ { id: disk_space, for: 20m, levels: [ { name: warning, above: 80, clear: 75, impact: high } ] } ] }
  acmee:
    rules: [ { id: cpu_high, enabled: false } ]
`,
  );
  return { WATCHPOST_DATA_DIR: dir, WATCHPOST_RULES_FILE: rulesFile };
}

describe('watchpost-collector rules show', () => {
  it('prints the rules, levels, priorities, urgency and calendar in force for a host; --json is the API answer', async () => {
    const env = setup();
    const shown = await collectorCli(['rules', 'show', '--tenant', 'acme', '--host', 'SQL01'], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('tenant acme, host SQL01 (host entry "sql01")');
    expect(shown.stdout).toContain('urgency: medium (from host entry: role server)');
    expect(shown.stdout).toContain('calendar acme-office: Europe/Berlin; mon tue wed thu fri; 08:00-17:30; holidays 2026-12-24');
    expect(shown.stdout).toMatch(
      /^disk_space\s+metric\s+20m\s+0s\s+resolve\s+warning > 80 \(clear 75\) high P2\s+measurement=disk .*rules\.yaml: tenants\.acme\.hosts\.sql01\.rules\[0\]$/m,
    );
    expect(shown.stderr).toContain('warning: the rules file has an entry for tenant "acmee", which does not exist (yet)');
    expect(shown.stderr).toContain('did you mean "acme"?');
    const json = JSON.parse((await collectorCli(['rules', 'show', '--tenant', 'acme', '--host', 'sql01', '--json'], env)).stdout);
    expect(json).toMatchObject({ tenant: 'acme', host: 'sql01', urgency: 'medium', terms: { calendar: { name: 'acme-office', holidays: ['2026-12-24'] } } });
    expect(json.rules.find((r: { id: string }) => r.id === 'disk_space').levels).toEqual([
      { name: 'warning', above: 80, clear: 75, impact: 'high', priority: 'P2' },
    ]);
  });

  it('refuses a tenant that does not exist, naming the nearest, and requires --tenant', async () => {
    const env = setup();
    expect(await collectorCli(['rules', 'show', '--tenant', 'acmee'], env)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('unknown tenant: acmee (did you mean "acme"?)'),
    });
    expect(await collectorCli(['rules', 'show'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('--tenant is required') });
  });
});
