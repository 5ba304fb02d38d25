// Table tests of the patch parsers on captured output (test/fixtures/README.md says where each came from).
import { describe, expect, it } from 'vitest';
import { lastAptUpgrade, parseAptUpgradable } from '../../../../agent/src/probes/patches/apt.js';
import { mergeAdvisories, parseRpmUpgrades, parseSecurityAdvisories, splitNevra } from '../../../../agent/src/probes/patches/rpm-updates.js';
import { parseZypperPatches } from '../../../../agent/src/probes/patches/zypper.js';
import { parseSoftwareUpdateList } from '../../../../agent/src/probes/patches/softwareupdate.js';
import { parseWuaDocument, wuaTime } from '../../../../agent/src/probes/patches/wua.js';
import { patchSamples } from '../../../../agent/src/probes/patches/patch-report.js';
import { Int } from '../../../../agent/src/sample.js';
import { fixture } from '../fixtures.js';

describe('apt list --upgradable', () => {
  it('reads every package of the Debian 12 capture, none of them from a -security pocket', () => {
    const { updates, errors } = parseAptUpgradable(fixture('linux/patches/apt-list-upgradable-bookworm.txt'));
    expect(errors).toEqual([]);
    expect(updates).toHaveLength(98);
    expect(updates[0]).toEqual({
      title: 'appstream 0.16.1-2+b1',
      package: 'appstream',
      version: '0.16.1-2+b1',
      category: 'update',
      security: false,
      critical: false,
    });
    expect(updates.some((u) => u.security)).toBe(false);
  });

  it('cannot tell Debian 10 security updates (suite buster/updates, archive "stable") from others', () => {
    const { updates } = parseAptUpgradable(fixture('linux/patches/apt-list-upgradable-buster.txt'));
    expect(updates.map((u) => [u.package, u.version, u.security])).toEqual([
      ['libsystemd0', '241-7~deb10u8', false],
      ['libudev1', '241-7~deb10u8', false],
    ]);
  });

  it.each([
    // The first two rows are constructed from the documented format (archives comma-separated), not captured.
    ['curl/jammy-updates,jammy-security 7.81.0-1ubuntu1.18 amd64 [upgradable from: 7.81.0-1ubuntu1.16]', true],
    ['base-files/oldstable-security 12.4+deb12u15 amd64 [upgradable from: 12.4+deb12u11]', true],
    ['docker-ce/jammy 5:26.1.3-1~ubuntu.22.04~jammy amd64 [upgradable from: 5:26.1.2-1~ubuntu.22.04~jammy]', false],
  ])('%s -> security %s', (line, security) => {
    expect(parseAptUpgradable(`Listing... Done\n${line}\n`).updates[0]?.security).toBe(security);
  });

  it('counts lines that are neither packages nor apt notes', () => {
    const { updates, errors } = parseAptUpgradable('Listing... Done\nN: There is 1 additional version.\ngarbage line\n');
    expect(updates).toEqual([]);
    expect(errors).toEqual(['garbage line']);
  });

  it('takes the end of the last transaction with an Upgrade: line from history.log (local time)', () => {
    expect(lastAptUpgrade(fixture('linux/patches/apt-history-log.txt'))).toBe(new Date(2026, 10, 22, 1, 4, 33).getTime() / 1000);
    expect(lastAptUpgrade('Start-Date: 2026-01-01  10:00:00\nInstall: x:amd64 (1)\nEnd-Date: 2026-01-01  10:00:01\n')).toBeUndefined();
  });
});

describe('dnf / yum', () => {
  it('reads `dnf list updates` (Fedora 33) past its header lines', () => {
    const { updates, errors } = parseRpmUpgrades(fixture('linux/patches/dnf-list-updates-fedora33.txt'));
    expect(errors).toEqual([]);
    expect(updates.map((u) => [u.package, u.version])).toEqual([
      ['fedora-gpg-keys', '33-4'],
      ['fedora-repos', '33-4'],
      ['fedora-repos-modular', '33-4'],
    ]);
  });

  it('reads `dnf updateinfo list --security` (Fedora 34) with severities', () => {
    const { advisories, errors } = parseSecurityAdvisories(fixture('linux/patches/dnf-updateinfo-security-fedora34.txt'));
    expect(errors).toEqual([]);
    expect(advisories).toHaveLength(16);
    expect(advisories[1]).toEqual({ id: 'FEDORA-2021-08cdb4dc34', severity: 'Important', name: 'dhcp-client', version: '12:4.4.2-11.b1.fc34' });
    expect(advisories.find((a) => a.name === 'kernel-core')?.severity).toBe('Critical');
  });

  it('reads `yum -C -q list updates` (CentOS 7, yum 3) past the `Updated Packages` heading -q leaves in', () => {
    const { updates, errors } = parseRpmUpgrades(fixture('linux/patches/yum-list-updates-centos7.txt'));
    expect(errors).toEqual([]);
    expect(updates.map((u) => u.package)).toEqual([
      'ca-certificates',
      'gitlab-ce',
      'grafana',
      'kernel',
      'kernel-headers',
      'net-snmp-libs',
      'ntp',
      'ntpdate',
      'passenger',
      'python-perf',
      'unbound',
      'unbound-libs',
    ]);
    expect(updates.find((u) => u.package === 'net-snmp-libs')?.version).toBe('1:5.7.2-48.el7_8.1');
    expect(updates.find((u) => u.package === 'ntp')?.title).toBe('ntp 4.2.6p5-29.el7.centos.2');
  });

  it('skips the wrapped `Loaded plugins` lines a RHEL 7 yum printed despite --quiet', () => {
    expect(parseRpmUpgrades(fixture('linux/patches/yum-list-updates-rhel7-loaded-plugins.txt'))).toEqual({ updates: [], errors: [] });
  });

  it('skips the fastestmirror lines of `yum list updates` without -q (CentOS 7)', () => {
    const { updates, errors } = parseRpmUpgrades(fixture('linux/patches/yum-list-updates-centos7-fastestmirror.txt'));
    expect(errors).toEqual([]);
    expect(updates.map((u) => [u.package, u.version])).toEqual([
      ['NetworkManager', '1:1.10.2-14.el7_5'],
      ['NetworkManager-libnm', '1:1.10.2-14.el7_5'],
      ['NetworkManager-ppp', '1:1.10.2-14.el7_5'],
    ]);
  });

  it("reads `yum updateinfo list security all` of an unregistered RHEL 9 past subscription-manager's lines", () => {
    const { advisories, errors } = parseSecurityAdvisories(fixture('linux/patches/yum-updateinfo-security-rhel9-unregistered.txt'));
    expect(errors).toEqual([]);
    expect(advisories).toHaveLength(11);
    expect(advisories[0]).toEqual({ id: 'RHSA-2023:0340', severity: 'Moderate', name: 'bash', version: '5.1.8-6.el9_1' });
    expect(advisories[1]).toEqual({ id: 'RHSA-2022:8299', severity: 'Low', name: 'curl', version: '7.76.1-19.el9' });
    expect(advisories.find((a) => a.name === 'dhcp-client')).toEqual({
      id: 'RHSA-2022:8385',
      severity: 'Moderate',
      name: 'dhcp-client',
      version: '12:4.4.2-17.b1.el9',
    });
  });

  it('skips the same subscription-manager lines before `list updates` rows (the plugin prints them on every command)', () => {
    // The captured preamble, followed by a made-up row in dnf's format (no capture of this command on such a host).
    const capture = fixture('linux/patches/yum-updateinfo-security-rhel9-unregistered.txt');
    const preamble = capture.slice(0, capture.indexOf('RHSA-'));
    const { updates, errors } = parseRpmUpgrades(`${preamble}Available Upgrades\nbash.x86_64  5.1.8-6.el9_1  rhel-9-baseos-rhui-rpms\n`);
    expect(errors).toEqual([]);
    expect(updates.map((u) => [u.package, u.version])).toEqual([['bash', '5.1.8-6.el9_1']]);
  });

  it('skips the priorities plugin count (Amazon Linux 2 enables the plugin)', () => {
    // The count line as Amazon Linux 2 hosts print it (public captures of other yum commands); the row is made up.
    const { updates, errors } = parseRpmUpgrades(
      '232 packages excluded due to repository priority protections\nUpdated Packages\npython3.x86_64  3.7.9-1.amzn2.0.2  amzn2-core\n',
    );
    expect(errors).toEqual([]);
    expect(updates.map((u) => u.package)).toEqual(['python3']);
  });

  it('still counts lines it does not know, and `: ` lines that do not continue `Loaded plugins`', () => {
    const list = parseRpmUpgrades('Updated Packages\nSomething yum never printed before\n: manager, versionlock\ncurl.x86_64  7.29.0-59.el7_9.1  updates\n');
    expect(list.errors).toEqual(['Something yum never printed before', ': manager, versionlock']);
    expect(list.updates.map((u) => u.package)).toEqual(['curl']);
    const security = parseSecurityAdvisories('Unable to read consumer identity\nUnable to read the updateinfo\n');
    expect(security).toEqual({ advisories: [], errors: ['Unable to read the updateinfo'] });
  });

  it.each([
    ['kernel-core-5.13.4-200.fc34.x86_64', { name: 'kernel-core', version: '5.13.4-200.fc34' }],
    ['dhcp-client-12:4.4.2-11.b1.fc34.x86_64', { name: 'dhcp-client', version: '12:4.4.2-11.b1.fc34' }],
    ['nonevra', undefined],
  ])('splitNevra(%s)', (nevra, expected) => expect(splitNevra(nevra)).toEqual(expected));

  it('marks upgradable packages with their most severe advisory', () => {
    const list = parseRpmUpgrades('curl.x86_64  7.76.1-7.fc34  updates\nkernel-core.x86_64  5.13.4-200.fc34  updates\nvim.x86_64 2:8.2-1.fc34 updates\n');
    const { advisories } = parseSecurityAdvisories(fixture('linux/patches/dnf-updateinfo-security-fedora34.txt'));
    const merged = mergeAdvisories(list.updates, advisories);
    expect(merged.map((u) => [u.package, u.security, u.critical, u.kb, u.severity])).toEqual([
      ['curl', true, false, 'FEDORA-2021-83fdddca0f', 'Moderate'],
      ['kernel-core', true, true, 'FEDORA-2021-07dc0b3eb1', 'Critical'],
      ['vim', false, false, undefined, undefined],
    ]);
  });
});

describe('zypper --xmlout list-patches', () => {
  it('reads the needed security patches of the openSUSE Leap 16.0 capture', () => {
    expect(parseZypperPatches(fixture('linux/patches/zypper-list-patches-security-leap16.xml'))).toEqual([
      {
        title: 'Security update for qemu',
        kb: 'openSUSE-Leap-16.0-112',
        severity: 'important',
        category: 'security',
        version: '1',
        security: true,
        critical: false,
      },
      {
        title: 'Security update for the Linux Kernel',
        kb: 'openSUSE-Leap-16.0-113',
        severity: 'important',
        category: 'security',
        version: '1',
        security: true,
        critical: false,
      },
    ]);
  });

  it('refuses output that is not zypper XML', () => {
    expect(() => parseZypperPatches('System management is locked by the application with pid 1234 (zypper).')).toThrow(/update-status/);
  });
});

describe('softwareupdate --list', () => {
  it.each([
    ['darwin/softwareupdate-list-bigsur.txt', [['macOS Big Sur 11.1 Beta 2', '11.1', true, true]]],
    ['darwin/softwareupdate-list-catalina.txt', [['Safari', '14.0', true, false]]],
    ['darwin/softwareupdate-list-mojave.txt', [['Safari', '14.0', true, false]]],
    [
      'darwin/softwareupdate-list-catalina-clt.txt',
      [
        ['Command Line Tools for Xcode', '11.2', true, false],
        ['Command Line Tools for Xcode', '11.3', true, false],
      ],
    ],
  ])('%s', (file, expected) => {
    const { updates, errors } = parseSoftwareUpdateList(fixture(file));
    expect(errors).toEqual([]);
    expect(updates.map((u) => [u.title, u.version, u.recommended, u.restart])).toEqual(expected);
  });

  it('keeps the label as the package', () => {
    expect(parseSoftwareUpdateList(fixture('darwin/softwareupdate-list-bigsur.txt')).updates[0]?.package).toBe('macOS Big Sur 11.1 Beta 2-20C5061b');
  });
});

describe('WUA script document', () => {
  it('reads the documented-format sample: severity, classification, definition updates, reboot flags', () => {
    const doc: unknown = JSON.parse(fixture('windows/wua-patches-documented.json'));
    const report = parseWuaDocument(doc);
    expect(report.updates.map((u) => [u.kb, u.security, u.critical, u.severity])).toEqual([
      ['KB5034123', true, true, 'Critical'],
      ['KB890830', false, false, undefined],
      ['KB2267602', false, false, undefined],
    ]);
    expect(report.updates[0]?.category).toBe('Security Updates, Windows 11');
    expect(report).toMatchObject({
      source: 'wua',
      rebootPending: true,
      pendingFileRename: true,
      lastSuccess: Date.UTC(2024, 8, 11, 3, 24, 12) / 1000,
      lastSearch: Date.UTC(2024, 8, 12, 6, 10, 44) / 1000,
      parseErrors: 0,
    });
  });

  it('a failed search is an error, not "nothing missing"', () => {
    expect(() => parseWuaDocument({ updates: [], searchError: 'Exception from HRESULT: 0x8024402C' })).toThrow(/0x8024402C/);
    expect(() => parseWuaDocument('not the script')).toThrow(/unexpected WUA script output/);
  });

  it('a single update (ConvertTo-Json unwraps one-element arrays) and an untitled one', () => {
    const report = parseWuaDocument({ updates: { title: 'x', kb: '123' } });
    expect(report.updates.map((u) => u.kb)).toEqual(['KB123']);
    expect(parseWuaDocument({ updates: [{}] }).parseErrors).toBe(1);
  });

  it.each([
    ['2024-09-11T03:24:12', Date.UTC(2024, 8, 11, 3, 24, 12) / 1000],
    ['1899-12-30T00:00:00', undefined],
    [null, undefined],
    ['\\/Date(1726024452000)\\/', undefined],
  ])('wuaTime(%s)', (value, expected) => expect(wuaTime(value)).toBe(expected));
});

describe('patchSamples', () => {
  it('one summary point and one point per update at distinct times, tagged only with the source', () => {
    const report = parseWuaDocument(JSON.parse(fixture('windows/wua-patches-documented.json')) as unknown);
    const samples = patchSamples(report, 1_000);
    expect(samples.map((s) => [s.measurement, s.time, s.tags])).toEqual([
      ['patches', 1000, { source: 'wua' }],
      ['patches_pending', 1001, { source: 'wua' }],
      ['patches_pending', 1002, { source: 'wua' }],
      ['patches_pending', 1003, { source: 'wua' }],
    ]);
    const f = samples[0]?.fields ?? {};
    expect([f.pending_total, f.pending_security, f.pending_critical].map((v) => (v as Int).value)).toEqual([3, 1, 1]);
    expect(f.reboot_pending).toBe(true);
    expect(f.pending_file_rename).toBe(true);
    expect((f.last_success as Int).value).toBe(Date.UTC(2024, 8, 11, 3, 24, 12) / 1000);
    expect(samples[1]?.fields).toMatchObject({ title: expect.stringContaining('KB5034123'), kb: 'KB5034123', severity: 'Critical' });
  });

  it('omits unknown times', () => {
    const [summary] = patchSamples({ source: 'apt', updates: [], rebootPending: false, parseErrors: 0 }, 5);
    expect(Object.keys(summary?.fields ?? {}).sort()).toEqual(['parse_errors', 'pending_critical', 'pending_security', 'pending_total', 'reboot_pending']);
  });
});
