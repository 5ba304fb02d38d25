// Each minimum standard as a table: the host's latest points, the verdict and the reason it gives.
import { describe, expect, it } from 'vitest';
import type { RuleSample } from '../../../collector/src/alerting/contract.js';
import type { HostView, PendingUpdate, Verdict } from '../../../collector/src/compliance/contract.js';
import { isSummary } from '../../../collector/src/compliance/engine.js';
import { STANDARDS } from '../../../collector/src/compliance/standards/index.js';
import { compareVersions, floorProblem } from '../../../collector/src/compliance/standards/os.js';
import { DEFAULT_THRESHOLDS, type ComplianceThresholds } from '../../../collector/src/compliance/thresholds.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const s = (ms: number) => Math.floor(ms / 1000);

const pt = (measurement: string, fields: RuleSample['fields'], tags: Record<string, string> = {}, time = NOW - H): RuleSample => ({
  measurement,
  tags,
  fields,
  time,
});

interface Case {
  name: string;
  points: RuleSample[];
  verdict: Verdict;
  reason: string | RegExp;
  role?: 'server' | 'workstation';
  critical?: boolean;
  family?: string;
  productType?: string;
  pending?: PendingUpdate[];
  thresholds?: Partial<ComplianceThresholds>;
}

function view(c: Case): HostView {
  return {
    role: c.role ?? 'server',
    critical: c.critical ?? false,
    family: c.family ?? 'windows',
    productType: c.productType ?? 'server',
    points: (m) => c.points.filter((p) => p.measurement === m),
    summary: (m) => c.points.find((p) => p.measurement === m && isSummary(p)),
    pendingUpdates: c.pending ?? [],
    zone: 'UTC',
    sessions: [],
    sessionsKnownFrom: null,
  };
}

function run(id: string, cases: Case[]) {
  const standard = STANDARDS.find((x) => x.id === id)!;
  it.each(cases.map((c) => [c.name, c] as const))(`${id}: %s`, (_name, c) => {
    const j = standard.evaluate(view(c), { ...DEFAULT_THRESHOLDS, ...c.thresholds }, NOW);
    expect(j.verdict).toBe(c.verdict);
    if (typeof c.reason === 'string') expect(j.reason).toBe(c.reason);
    else expect(j.reason).toMatch(c.reason);
    // Evidence is the point that decided: present with its time whenever a point was read.
    if (j.evidence) expect(c.points.map((p) => p.time)).toContain(j.evidence.time);
  });
}

const inventory = (fields: RuleSample['fields']) => pt('inventory', fields);
const win = (name: string, build: string, productType: string) =>
  inventory({ os_family: 'windows', os_name: name, os_build: build, os_product_type: productType });

describe('minimum standards', () => {
  run('os_floor', [
    { name: 'no inventory yet', points: [], verdict: 'unknown', reason: 'no inventory point with the OS yet' },
    {
      name: '2012 R2 meets a 2012 floor',
      points: [win('Windows Server 2012 R2 Standard', '9600', 'server')],
      verdict: 'pass',
      reason: 'Windows Server 2012 R2 Standard (build 9600) meets the floor windows_server 2012',
    },
    {
      name: '2008 R2 is below a 2012 floor',
      points: [win('Windows Server 2008 R2 Standard', '7601', 'domain_controller')],
      verdict: 'fail',
      reason: 'Windows Server 2008 R2 Standard (build 7601) is below the floor windows_server 2012',
    },
    {
      name: 'Windows 8.1 is below a Windows 10 floor',
      points: [win('Windows 8.1 Pro', '9600', 'workstation')],
      verdict: 'fail',
      reason: 'Windows 8.1 Pro (build 9600) is below the floor windows 10',
    },
    {
      name: 'a 2008 / Windows 7 contract accepts Windows 7',
      points: [win('Windows 7 Professional', '7601', 'workstation')],
      thresholds: { osFloor: { windows_server: '2008', windows: '7' } },
      verdict: 'pass',
      reason: 'Windows 7 Professional (build 7601) meets the floor windows 7',
    },
    {
      name: 'Debian against a debian floor',
      points: [inventory({ os_family: 'linux', os_name: 'Debian GNU/Linux 11 (bullseye)', os_id: 'debian', os_version_id: '11' })],
      thresholds: { osFloor: { debian: '12' } },
      verdict: 'fail',
      reason: 'Debian GNU/Linux 11 (bullseye) 11 is below the floor debian 12',
    },
    {
      name: 'no floor for this OS',
      points: [inventory({ os_family: 'linux', os_name: 'Ubuntu 24.04.1 LTS', os_id: 'ubuntu', os_version_id: '24.04' })],
      verdict: 'pass',
      reason: 'the contract sets no OS floor for ubuntu: Ubuntu 24.04.1 LTS 24.04 is accepted',
    },
    {
      name: 'a build that is not a number',
      points: [win('Windows Server', '', 'server')],
      verdict: 'unknown',
      reason: 'cannot compare Windows Server (build ?) with the floor windows_server 2012',
    },
  ]);

  run('os_supported', [
    { name: 'no os_support yet', points: [], verdict: 'unknown', reason: 'no os_support point yet (it follows the first inventory)' },
    {
      name: 'a 2012 R2 server is past its end of support',
      points: [pt('os_support', { status: 'unsupported', release: 'Windows Server 2012 R2', end_of_support: s(Date.parse('2023-10-10T00:00:00Z')) })],
      verdict: 'fail',
      reason: 'Windows Server 2012 R2 reached its end of support on 2023-10-10',
    },
    {
      name: 'support ends after the inventory but before now',
      points: [pt('os_support', { status: 'supported', release: 'Windows 11 23H2', end_of_support: s(Date.parse('2026-11-10T00:00:00Z')) }, {}, NOW - 30 * D)],
      verdict: 'fail',
      reason: 'Windows 11 23H2 reached its end of support on 2026-11-10',
    },
    {
      name: 'supported with an end date',
      points: [pt('os_support', { status: 'supported', release: 'Windows Server 2022', end_of_support: s(Date.parse('2031-10-14T00:00:00Z')) })],
      verdict: 'pass',
      reason: 'Windows Server 2022 is supported until 2031-10-14',
    },
    {
      name: 'not in the table',
      points: [pt('os_support', { status: 'unknown', os_name: 'Alpine', os_version: '3.20' })],
      verdict: 'unknown',
      reason: 'Alpine 3.20 is not in the end-of-support table',
    },
  ]);

  const patchesPoint = (fields: RuleSample['fields']) => pt('patches', { pending_total: 0, pending_security: 0, ...fields }, { source: 'wua' });
  run('patches', [
    { name: 'no patches point', points: [], verdict: 'unknown', reason: 'no patches point yet' },
    { name: 'nothing pending', points: [patchesPoint({ last_success: s(NOW - 50 * D) })], verdict: 'pass', reason: 'no security or critical update pending' },
    {
      name: 'a security update pending 20 days',
      points: [patchesPoint({ pending_total: 1, pending_security: 1, last_success: s(NOW - 3 * D) })],
      pending: [{ key: 'kb:KB5066835', title: '2026-10 Cumulative Update (KB5066835)', firstSeen: NOW - 20 * D, lastSeen: NOW - H }],
      verdict: 'fail',
      reason: '1 security/critical update pending longer than 14 days (oldest: 2026-10 Cumulative Update (KB5066835), pending since 2026-10-31)',
    },
    {
      name: 'a security update pending 5 days',
      points: [patchesPoint({ pending_total: 1, pending_security: 1, last_success: s(NOW - 3 * D) })],
      pending: [{ key: 'kb:KB1', title: 'KB1', firstSeen: NOW - 5 * D, lastSeen: NOW - H }],
      verdict: 'pass',
      reason: '1 security/critical update pending, none longer than 14 days',
    },
    {
      name: 'updates pending and nothing installed for 40 days',
      points: [patchesPoint({ pending_total: 3, last_success: s(NOW - 40 * D) })],
      verdict: 'fail',
      reason: 'no update installed for 40 days (last on 2026-10-11) with 3 pending',
    },
    {
      name: 'a tenant allowing 30 days of pending',
      points: [patchesPoint({ pending_total: 1, pending_security: 1 })],
      pending: [{ key: 'kb:KB1', title: 'KB1', firstSeen: NOW - 20 * D, lastSeen: NOW - H }],
      thresholds: { patchMaxPendingMs: 30 * D },
      verdict: 'pass',
      reason: '1 security/critical update pending, none longer than 30 days',
    },
  ]);

  const av = (product: string, fields: RuleSample['fields'], time = NOW - H) => pt('antivirus', fields, { product }, time);
  const probeStats = (fields: RuleSample['fields'], time = NOW - 60_000) => pt('agent_probe', fields, { probe: 'antivirus' }, time);
  run('antivirus', [
    { name: 'nothing reported', points: [], verdict: 'unknown', reason: 'no antivirus point, and no completed run of the antivirus probe reported recently' },
    {
      name: 'the probe runs and finds no product',
      points: [probeStats({ runs: 3, errors: 0, samples: 0 })],
      verdict: 'fail',
      reason: 'the antivirus probe runs and reports no protection product',
    },
    { name: 'the probe only failed', points: [probeStats({ runs: 2, errors: 2 })], verdict: 'unknown', reason: /no antivirus point/ },
    {
      name: 'Defender on, current',
      points: [av('Microsoft Defender Antivirus', { state: 'on', realtime: true, signature_updated: s(NOW - D) })],
      verdict: 'pass',
      reason: 'Microsoft Defender Antivirus is on, real-time, signatures current',
    },
    {
      name: 'signatures 5 days old',
      points: [av('Microsoft Defender Antivirus', { state: 'on', realtime: true, signature_age_days: 4.5 })],
      verdict: 'fail',
      reason: 'Microsoft Defender Antivirus has signatures 4 days old',
    },
    {
      name: 'real-time off',
      points: [av('ClamAV', { state: 'on', realtime: false, up_to_date: true })],
      verdict: 'fail',
      reason: 'ClamAV has real-time protection off',
    },
    {
      name: 'passive Defender beside an active third party',
      points: [av('Microsoft Defender Antivirus', { state: 'passive' }), av('CylancePROTECT', { state: 'on', realtime: true, up_to_date: true })],
      verdict: 'pass',
      reason: 'CylancePROTECT is on, real-time, signatures current',
    },
    {
      name: 'installed, state unreadable',
      points: [av('Sophos Endpoint Agent', { state: 'unknown', source: 'registry' })],
      verdict: 'unknown',
      reason: 'Sophos Endpoint Agent is installed; its state cannot be read',
    },
    {
      name: 'a product last reported 5 hours ago is gone',
      points: [av('CylancePROTECT', { state: 'on', realtime: true, up_to_date: true }, NOW - 5 * H), probeStats({ runs: 9, errors: 0 })],
      verdict: 'fail',
      reason: 'the antivirus probe runs and reports no protection product',
    },
  ]);

  const bk = (fields: RuleSample['fields'], product = '', time = NOW - H) => pt('backup', fields, product ? { product } : {}, time);
  run('backup', [
    { name: 'no backup point', points: [], verdict: 'unknown', reason: 'no backup point yet' },
    {
      name: 'not detectable (Linux)',
      points: [bk({ products: 0, detectable: false })],
      verdict: 'unknown',
      reason: 'backups are not detectable on this platform',
    },
    { name: 'no product', points: [bk({ products: 0, detectable: true })], verdict: 'fail', reason: 'no backup product detected' },
    {
      name: 'server backed up 10 hours ago',
      points: [
        bk({ products: 1, detectable: true, last_success: s(NOW - 10 * H) }),
        bk({ detected_by: 'events', last_success: s(NOW - 10 * H) }, 'Veeam Agent for Microsoft Windows'),
      ],
      verdict: 'pass',
      reason: 'last successful backup 10 hours ago (Veeam Agent for Microsoft Windows)',
    },
    {
      name: 'server backed up 30 hours ago',
      points: [bk({ products: 1, detectable: true, last_success: s(NOW - 30 * H) })],
      verdict: 'fail',
      reason: 'last successful backup 30 hours ago, on 2026-11-19; the limit is 26 hours',
    },
    {
      name: 'workstation backed up 3 days ago',
      role: 'workstation',
      points: [bk({ products: 1, detectable: true, last_success: s(NOW - 3 * D) })],
      verdict: 'pass',
      reason: 'last successful backup 3 days ago',
    },
    {
      name: 'critical workstation backed up 3 days ago',
      role: 'workstation',
      critical: true,
      points: [bk({ products: 1, detectable: true, last_success: s(NOW - 3 * D) })],
      verdict: 'fail',
      reason: /the limit is 26 hours/,
    },
    {
      name: 'presence only',
      points: [bk({ products: 1, detectable: true }), bk({ detected_by: 'presence', last_result: 'unknown' }, 'Datto Backup Agent')],
      verdict: 'unknown',
      reason: 'Datto Backup Agent installed (presence only): its results are not readable',
    },
    {
      name: 'an event-log product with no success',
      points: [bk({ products: 1, detectable: true }), bk({ detected_by: 'events', last_result: 'failed' }, 'Windows Server Backup')],
      verdict: 'fail',
      reason: 'no successful backup recorded',
    },
  ]);

  const fw = (product: string, fields: RuleSample['fields']) => pt('firewall_products', fields, { product });
  run('firewall_apps', [
    {
      name: 'a third-party firewall on a client',
      productType: 'workstation',
      points: [fw('ZoneAlarm Firewall', { state: 'on', enabled: true, third_party: true })],
      verdict: 'fail',
      reason: 'third-party firewall installed: ZoneAlarm Firewall',
    },
    {
      name: 'none on a client whose probe runs',
      productType: 'workstation',
      points: [probeStats({ runs: 1, errors: 0 })],
      verdict: 'pass',
      reason: 'no third-party firewall registered with Security Center',
    },
    {
      name: 'a server cannot tell',
      points: [probeStats({ runs: 1, errors: 0 })],
      verdict: 'unknown',
      reason: 'third-party firewalls are detected on Windows clients only',
    },
  ]);

  run('raid', [
    { name: 'no raid point', points: [], verdict: 'unknown', reason: 'no raid point yet' },
    { name: 'healthy', points: [pt('raid', { status: 'healthy', reason: 'md0 raid1 ok' })], verdict: 'pass', reason: 'redundant arrays healthy: md0 raid1 ok' },
    {
      name: 'degraded',
      points: [pt('raid', { status: 'unhealthy', reason: 'md0 degraded' })],
      verdict: 'fail',
      reason: 'an array is not healthy: md0 degraded',
    },
    { name: 'none', points: [pt('raid', { status: 'none', reason: 'no md arrays' })], verdict: 'fail', reason: 'no redundant array: no md arrays' },
    {
      name: 'a virtual disk hides it',
      points: [pt('raid', { status: 'unknown', reason: 'virtual disk sda' })],
      verdict: 'unknown',
      reason: 'RAID state not detectable: virtual disk sda',
    },
    {
      name: 'array points do not count as the summary',
      points: [pt('raid', { state: 'ok' }, { array: 'md0', kind: 'md' })],
      verdict: 'unknown',
      reason: 'no raid point yet',
    },
  ]);

  run('ups', [
    {
      name: 'present',
      points: [pt('ups', { status: 'present', seen: 1, reason: 'myups@localhost online' })],
      verdict: 'pass',
      reason: 'UPS attached: myups@localhost online',
    },
    {
      name: 'not seen',
      points: [pt('ups', { status: 'not_seen', seen: 0, reason: 'no NUT, apcupsd or HID device' })],
      verdict: 'fail',
      reason: 'no UPS seen: no NUT, apcupsd or HID device',
    },
    {
      name: "not seen, the probe's reason opening with the same words (its real wording) is not repeated",
      points: [pt('ups', { status: 'not_seen', seen: 0, reason: 'no UPS seen: NUT not installed, apcupsd not installed' })],
      verdict: 'fail',
      reason: 'no UPS seen: NUT not installed, apcupsd not installed',
    },
    {
      name: 'configured, not answering',
      points: [pt('ups', { status: 'unknown', reason: 'upsc: Error: Data stale' })],
      verdict: 'unknown',
      reason: 'UPS configured but not answering: upsc: Error: Data stale',
    },
  ]);

  const pw = (fields: RuleSample['fields']) => pt('password_policy', { source: 'secedit', ...fields });
  run('password_policy', [
    { name: 'no point', points: [], verdict: 'unknown', reason: 'no password_policy point yet' },
    {
      name: 'strong',
      points: [pw({ min_length: 12, complexity: true, lockout_threshold: 5 })],
      verdict: 'pass',
      reason: 'minimum length 12, complexity, lockout after 5 failures',
    },
    {
      name: 'Windows defaults',
      points: [pw({ min_length: 0, complexity: false, min_classes: 0, lockout_threshold: 0 })],
      verdict: 'fail',
      reason: 'minimum length 0 (at least 8 required); no complexity requirement; accounts never lock out',
    },
    {
      name: 'lockout too lax',
      points: [pw({ min_length: 8, complexity: true, lockout_threshold: 50 })],
      verdict: 'fail',
      reason: 'lockout after 50 failures (at most 10)',
    },
    {
      name: 'pwquality classes count as complexity',
      points: [pw({ source: 'pam_pwquality', min_length: 10, min_classes: 3, lockout_threshold: 5 })],
      verdict: 'pass',
      reason: 'minimum length 10, complexity, lockout after 5 failures',
    },
    {
      name: 'domain-joined',
      points: [pw({ min_length: 0, domain_joined: true, domain: 'ACME' })],
      verdict: 'unknown',
      reason: "joined to the domain ACME: its accounts follow the domain's policy, which is not read",
    },
    {
      name: 'a tenant that does not ask for lockout',
      points: [pw({ min_length: 8, complexity: true, lockout_threshold: 0 })],
      thresholds: { passwordMaxLockoutThreshold: 0 },
      verdict: 'pass',
      reason: 'minimum length 8, complexity',
    },
  ]);

  const ra = (service: string, fields: RuleSample['fields']) => pt('remote_access', fields, { service });
  run('remote_access', [
    { name: 'no point', points: [], verdict: 'unknown', reason: 'no remote_access point yet' },
    {
      name: 'RDP on 3389',
      points: [ra('rdp', { installed: true, enabled: true, port: 3389, standard_port: true }), ra('ssh', { installed: false, enabled: false })],
      verdict: 'fail',
      reason: 'enabled on the standard port: rdp on port 3389',
    },
    {
      name: 'RDP moved, SSH off',
      points: [ra('rdp', { installed: true, enabled: true, port: 53389, standard_port: false }), ra('ssh', { installed: false, enabled: false })],
      verdict: 'pass',
      reason: 'off the standard ports: rdp on port 53389',
    },
    {
      name: 'RDP off on 3389',
      points: [ra('rdp', { installed: true, enabled: false, port: 3389, standard_port: true })],
      verdict: 'pass',
      reason: 'no remote access enabled (rdp)',
    },
    {
      name: 'SSH on 22 where the tenant checks RDP only',
      points: [ra('ssh', { installed: true, enabled: true, port: 22, standard_port: true })],
      thresholds: { remoteAccessServices: ['rdp'] },
      verdict: 'unknown',
      reason: 'no remote_access point yet',
    },
  ]);

  const act = (product: string, fields: RuleSample['fields']) => pt('activation', fields, { product });
  run('activation', [
    { name: 'no point', points: [], verdict: 'unknown', reason: 'no activation point yet' },
    {
      name: 'licensed',
      points: [act('Windows(R), ServerStandard edition', { status: 'licensed', licensed: true, channel: 'VOLUME_KMSCLIENT' })],
      verdict: 'pass',
      reason: 'Windows(R), ServerStandard edition is licensed (VOLUME_KMSCLIENT)',
    },
    { name: 'no key', points: [act('none', { status: 'no_key', licensed: false })], verdict: 'fail', reason: 'no Windows product key installed' },
    {
      name: 'notification, with a licensed ESU add-on',
      points: [
        act('Windows(R), Professional edition', { status: 'notification', licensed: false }),
        act('Client-ESU-Year1', { status: 'licensed', licensed: true, addon: true }),
      ],
      verdict: 'fail',
      reason: 'Windows(R), Professional edition is not activated (notification)',
    },
  ]);

  it('applies raid and ups to servers only, activation to Windows (and to hosts not yet identified)', () => {
    const applies = (id: string, host: { role: 'server' | 'workstation'; family: string }) =>
      STANDARDS.find((x) => x.id === id)!.appliesTo({ ...host, productType: '', critical: false }, DEFAULT_THRESHOLDS);
    expect(applies('raid', { role: 'workstation', family: 'windows' })).toBe(false);
    expect(applies('ups', { role: 'server', family: 'linux' })).toBe(true);
    expect(applies('activation', { role: 'server', family: 'linux' })).toBe(false);
    expect(applies('activation', { role: 'server', family: '' })).toBe(true);
  });

  it('checks OS floors and compares versions', () => {
    expect(floorProblem('windows_server', '2012 R2')).toBeNull();
    expect(floorProblem('windows_server', '2013')).toMatch(/^expected a Windows Server release/);
    expect(floorProblem('windows', 'XP')).toMatch(/^expected a Windows release/);
    expect(floorProblem('ubuntu', 'jammy')).toBe('expected a version like 11 or 22.04; got "jammy"');
    expect(compareVersions('22.04', '20.04')).toBe(1);
    expect(compareVersions('13', '13.0.1')).toBe(-1);
    expect(compareVersions('11', '11.0')).toBe(0);
  });
});
