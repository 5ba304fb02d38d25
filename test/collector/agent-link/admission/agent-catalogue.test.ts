// Keeps the collector's measurement schema (collector/src/agent-link/admission/catalogue.ts) honest against the agent: every
// sample the agent's probes write on this machine, every sample its parsers build from the captured Windows, macOS
// and Linux output in test/fixtures (as the probe tests feed them), and the agent's own measurements, encoded as
// the agent sends them, must pass the schema. A field added to a probe without its line in the catalogue fails
// here, before a collector refuses it in the field. (Tests may import both sides; the code never does.)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMeasurementSchema } from '../../../../collector/src/agent-link/admission/measurement-schema.js';
import { AGENT_MEASUREMENTS } from '../../../../collector/src/agent-link/admission/catalogue.js';
import { probes } from '../../../../agent/src/probes/index.js';
import { execRunner, type Runner } from '../../../../agent/src/exec/runner.js';
import type { PowerShell, ProbeContext } from '../../../../agent/src/probes/probe.js';
import type { SampleDraft } from '../../../../agent/src/sample.js';
import { completeSamples, probeErrorSample, probeStatsSamples } from '../../../../agent/src/scheduler/scheduler.js';
import { toWireSample } from '../../../../agent/src/delivery/encode.js';
import { selfSample, type AgentStatus } from '../../../../agent/src/status/report.js';
import { watchdogSample } from '../../../../agent/src/watchdog/report.js';
import { updateSample } from '../../../../agent/src/update/report.js';
import { patchRunSamples } from '../../../../agent/src/patching/report.js';
import { avActionSample } from '../../../../agent/src/patching/windows/defender.js';
import { createCpuProbe } from '../../../../agent/src/probes/cpu/cpu.js';
import { createMemProbe } from '../../../../agent/src/probes/mem/mem.js';
import { createDiskProbe } from '../../../../agent/src/probes/disk/disk.js';
import { createSystemProbe } from '../../../../agent/src/probes/system/system.js';
import { createNetProbe } from '../../../../agent/src/probes/net/net.js';
import { createDiskioProbe } from '../../../../agent/src/probes/diskio/diskio.js';
import { createSwapProbe } from '../../../../agent/src/probes/swap/swap.js';
import { createProcessesProbe } from '../../../../agent/src/probes/processes/processes.js';
import { createKernelProbe } from '../../../../agent/src/probes/kernel/kernel.js';
import { createNetstatProbe } from '../../../../agent/src/probes/netstat/netstat.js';
import { createInventoryProbe } from '../../../../agent/src/probes/inventory/inventory.js';
import { createAntivirusProbe, windowsAvSamples } from '../../../../agent/src/probes/antivirus/antivirus.js';
import { createPatchesProbe } from '../../../../agent/src/probes/patches/patches.js';
import { createServicesProbe } from '../../../../agent/src/probes/services/services.js';
import { createShutdownsProbe } from '../../../../agent/src/probes/shutdowns/shutdowns.js';
import { createPasswordPolicyProbe } from '../../../../agent/src/probes/password_policy/password_policy.js';
import { createRemoteAccessProbe } from '../../../../agent/src/probes/remote_access/remote_access.js';
import { createActivationProbe } from '../../../../agent/src/probes/activation/activation.js';
import { createBackupProbe } from '../../../../agent/src/probes/backup/backup.js';
import { createRaidProbe } from '../../../../agent/src/probes/raid/raid.js';
import { createUpsProbe } from '../../../../agent/src/probes/ups/ups.js';
import { countSamples, eventSample, gapSample } from '../../../../agent/src/probes/eventlog/eventlog.js';
import { defenderSample } from '../../../../agent/src/probes/antivirus/defender-status.js';
import { parseWindowsEventXml } from '../../../../agent/src/probes/common/windows-event-xml.js';
import { parseUnifiedNdjson } from '../../../../agent/src/probes/common/unified-log-ndjson.js';
import { parseJournalJson } from '../../../../agent/src/probes/eventlog/journal-json.js';
import { context, fixture, FIXTURES, formatList, replayRunner } from '../../../agent/probes/fixtures.js';

const schema = createMeasurementSchema();
const seen = new Set<string>();

/** The schema's refusals of these drafts, sent as the agent sends them (host, tenant and time added, then encoded). */
function refusals(source: string, drafts: readonly SampleDraft[]): string[] {
  return completeSamples(drafts, 'pc-01', 'acme', Date.now()).flatMap((sample) => {
    seen.add(sample.measurement);
    const refusal = schema.check(toWireSample(sample));
    return refusal ? [`${source}: ${refusal.reason}: ${refusal.detail}`] : [];
  });
}

/** A runner that answers by command line prefix, as an OS would (exit codes included). */
function scripted(answers: Record<string, { stdout: string; exitCode?: number }>): Runner {
  return async (command, args, options) => {
    const key = `${command} ${args.join(' ')}`;
    const answer = Object.entries(answers).find(([prefix]) => key.startsWith(prefix))?.[1];
    if (!answer) throw Object.assign(new Error(`not installed: ${command}`), { code: 'ENOENT' });
    if (answer.exitCode && !options?.okExitCodes?.includes(answer.exitCode)) throw new Error(`exit ${answer.exitCode}`);
    return { stdout: answer.stdout, stderr: '', ...(answer.exitCode ? { exitCode: answer.exitCode } : {}) };
  };
}

const worker = (reply: unknown): PowerShell => ({ run: async <T>() => reply as T });
const withWorker = (reply: unknown, runner?: Runner): ProbeContext => ({ ...context(runner), powershell: worker(reply) });

describe("the agent's probes on this machine", () => {
  it.each(Object.keys(probes))('%s: every sample fits the schema (a failed run: its agent_probe_error does)', async (name) => {
    const probe = probes[name as keyof typeof probes]();
    let drafts: SampleDraft[];
    try {
      drafts = await probe.collect(context(execRunner));
    } catch (error) {
      drafts = [probeErrorSample(name, 'error', error as Error)];
    }
    expect(refusals(name, drafts)).toEqual([]);
  });

  it("the agent's own measurements: agent, agent_probe, agent_probe_error, agent_watchdog, agent_update", () => {
    const status: AgentStatus = {
      agentId: 'ag_1',
      tenant: 'acme',
      server: 'https://collector',
      version: '1.2.3',
      pid: 1,
      startedAt: '',
      updatedAt: '',
      connected: true,
      lastConnectedAt: null,
      lastAckAt: null,
      lastError: null,
      lastRejection: null,
      nextRetryAt: null,
      spool: { batches: 2, bytes: 300, kind: 'disk', error: null },
      counters: {
        pointsProduced: 10,
        pointsAcked: 8,
        pointsDropped: 1,
        pointsRejected: 1,
        pointsDroppedBy: { full: 1, disk_full: 0, io_error: 0, corrupt: 0 },
      },
    } as AgentStatus;
    const stats = { runs: 3, errors: 1, timeouts: 0, skippedOverlap: 0, samples: 12, lastDurationMs: 4.5, lastRunAt: 0 };
    expect(
      refusals('agent', [
        selfSample(status),
        ...probeStatsSamples({ cpu: stats, disk: { ...stats, lastDurationMs: null } }),
        probeErrorSample('patches', 'timeout', new Error('timed out after 30000 ms')),
        watchdogSample({ reason: 'memory', rss_bytes: 172_000_000, detail: 'RSS above the limit', time: new Date().toISOString() }),
        updateSample('installed', '1.2.3', '1.2.4', ''),
        ...patchRunSamples(
          {
            planId: 'p-1',
            windowStart: Date.now() - 60_000,
            windowEnd: Date.now() + 3_600_000,
            approved: 2,
            installed: 1,
            failed: 1,
            notApplicable: 0,
            notStarted: 0,
            rebootRequired: true,
            rebooted: false,
            rebootDetail: 'the window had closed',
            durationMs: 12_345,
          },
          [
            { id: 'openssl', manager: 'apt', title: 'openssl 3.0.15-1~deb12u1', outcome: 'installed', rebootRequired: false, durationMs: 8_000 },
            {
              id: 'KB5034441',
              manager: 'wua',
              title: 'Security Update',
              outcome: 'failed',
              code: 2149842967,
              detail: 'install Failed (4)',
              rebootRequired: true,
              durationMs: 4_000,
            },
          ],
          Date.now(),
        ),
        avActionSample(
          {
            action: 'signature_update',
            outcome: 'failed',
            code: 2149859372,
            detail: 'no network',
            durationMs: 900,
            signatureVersion: '1.403.123.0',
            signatureUpdated: 1_700_000_000,
            quickScanEnd: 1_700_000_000,
            quickScanAgeDays: 2,
          },
          Date.now(),
        ),
      ]),
    ).toEqual([]);
  });
});

describe("the agent's parsers on captured output of every platform", () => {
  const sources: [string, () => Promise<SampleDraft[]>][] = [
    [
      'cpu, Windows and macOS (os.cpus)',
      async () => [
        ...(await createCpuProbe({ platform: 'win32', baselineMs: 10 }).collect(context())),
        ...(await createCpuProbe({ platform: 'darwin', baselineMs: 10 }).collect(context())),
      ],
    ],
    [
      'mem, macOS vm_stat, Windows os.* and the Linux meminfo fixture',
      async () => [
        ...(await createMemProbe({ platform: 'darwin' }).collect(context(replayRunner(fixture('darwin/vm_stat.txt')).runner))),
        ...(await createMemProbe({ platform: 'win32' }).collect(context())),
        ...(await createMemProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc` }).collect(context())),
      ],
    ],
    [
      'system, Windows, macOS and the Linux fixture',
      async () => [
        ...(await createSystemProbe({ platform: 'win32' }).collect(context())),
        ...(await createSystemProbe({ platform: 'darwin' }).collect(context())),
        ...(await createSystemProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc`, utmpPaths: [] }).collect(context())),
      ],
    ],
    [
      'disk, macOS volumes and the Linux mounts fixture',
      async () => [
        ...(await createDiskProbe({ platform: 'darwin' }).collect(context())),
        ...(await createDiskProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc` }).collect(context())),
      ],
    ],
    [
      'net, Windows Get-NetAdapterStatistics and macOS netstat',
      async () => [
        ...(await createNetProbe({ platform: 'win32' }).collect(context(replayRunner(fixture('windows/get-netadapterstatistics-all-properties.txt')).runner))),
        ...(await createNetProbe({ platform: 'win32' }).collect(withWorker(fixture('windows/get-netadapterstatistics-server2025.txt')))),
        ...(await createNetProbe({ platform: 'darwin' }).collect(context(replayRunner(fixture('darwin/netstat-ibdnW.txt')).runner))),
      ],
    ],
    [
      'diskio and swap, macOS ioreg, sysctl and vm_stat, Windows worker rows and the Linux fixtures',
      async () => {
        const darwin = scripted({
          ioreg: { stdout: fixture('darwin/ioreg-blockstoragedriver-apple-silicon.txt') },
          sysctl: { stdout: fixture('darwin/sysctl-vm-swapusage.txt') },
          vm_stat: { stdout: fixture('darwin/vm_stat.txt') },
        });
        const disks = [
          { name: 'C:', reads: '1', writes: '4', read_bytes: '4096', write_bytes: '16384', read_time: '4633000', idle_time: '1', idle_base: '9', queue: '0' },
        ];
        const pageFiles = { files: [{ name: 'C:\\pagefile.sys', allocated_mb: '2048', current_mb: '42' }], pages_in: '1', pages_out: '2', page_size: '4096' };
        return [
          ...(await createDiskioProbe({ platform: 'darwin' }).collect(context(darwin))),
          ...(await createSwapProbe({ platform: 'darwin' }).collect(context(darwin))),
          ...(await createDiskioProbe({ platform: 'win32' }).collect(withWorker(disks))),
          ...(await createSwapProbe({ platform: 'win32' }).collect(withWorker(pageFiles))),
          ...(await createDiskioProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc`, sysRoot: '/nonexistent' }).collect(context())),
          ...(await createSwapProbe({ platform: 'linux', procRoot: `${FIXTURES}linux/proc` }).collect(context())),
        ];
      },
    ],
    [
      'processes, kernel and netstat: Windows worker replies, macOS ps and netstat, the Linux snapshot',
      async () => {
        const snapshot = `${FIXTURES}linux/proc-snapshot`;
        return [
          ...(await createProcessesProbe({ platform: 'win32' }).collect(withWorker({ processes: 384, threads: 5534 }))),
          ...(await createProcessesProbe({ platform: 'darwin' }).collect(
            context(replayRunner(fixture('darwin/ps/ps-aux-head-apple-silicon-2026.txt')).runner),
          )),
          ...(await createProcessesProbe({ platform: 'linux', procRoot: snapshot }).collect(context())),
          ...(await createKernelProbe({ platform: 'win32' }).collect(
            withWorker({ context_switches: 469922985, interrupts: 3, up_since: 131983188065000000, frequency: 1e7 }),
          )),
          ...(await createKernelProbe({ platform: 'darwin' }).collect(context())),
          ...(await createKernelProbe({ platform: 'linux', procRoot: snapshot }).collect(context())),
          ...(await createNetstatProbe({ platform: 'win32' }).collect(withWorker({ tcp: { Established: 2, DeleteTcb: 1 }, listen: 3, udp: 4 }))),
          ...(await createNetstatProbe({ platform: 'darwin' }).collect(
            context(replayRunner(fixture('darwin/netstat/netstat-an-excerpt-yosemite-era.txt')).runner),
          )),
          ...(await createNetstatProbe({ platform: 'linux', procRoot: snapshot }).collect(context())),
        ];
      },
    ],
    [
      'inventory, Windows reg query, macOS sw_vers and Linux os-release',
      async () => {
        const drafts: SampleDraft[] = [];
        for (const file of [
          'reg-query-currentversion-win10-enterprise-22h2',
          'reg-query-currentversion-win11-pro-23h2',
          'reg-query-currentversion-win11-pro-25h2-ubr',
        ]) {
          drafts.push(...(await createInventoryProbe({ platform: 'win32' }).collect(context(replayRunner(fixture(`windows/${file}.txt`)).runner))));
        }
        for (const file of ['sw_vers-high-sierra', 'sw_vers-sequoia']) {
          drafts.push(...(await createInventoryProbe({ platform: 'darwin' }).collect(context(replayRunner(fixture(`darwin/${file}.txt`)).runner))));
        }
        for (const file of ['alpine-3.23', 'debian-dev-machine', 'rhel-9.6', 'ubuntu-24.04']) {
          drafts.push(...(await createInventoryProbe({ platform: 'linux', osReleasePaths: [`${FIXTURES}linux/os-release/${file}`] }).collect(context())));
        }
        return drafts;
      },
    ],
    [
      'antivirus and firewall_products, Windows SecurityCenter2 and Get-MpComputerStatus',
      async () => {
        const sc = JSON.parse(fixture('windows/securitycenter2-antivirusproduct-cylance-defender.json'));
        const now = Date.now();
        return [
          ...windowsAvSamples(
            {
              sc,
              fw: [
                { displayName: 'ZoneAlarm Firewall', productState: 266240 },
                { displayName: 'Broken FW', productState: 'garbage' },
              ],
            },
            now,
          ),
          ...windowsAvSamples({ sc: [{ displayName: 'X', productState: 'garbage' }] }, now),
          ...windowsAvSamples(
            { scError: 'Invalid namespace', sw: ['Sophos Endpoint Agent'], mp: formatList(fixture('windows/get-mpcomputerstatus-server2019-ec2.txt')) },
            now,
          ),
          defenderSample(formatList(fixture('windows/get-mpcomputerstatus-docs.txt')), now),
          defenderSample(
            { ...formatList(fixture('windows/get-mpcomputerstatus-server2019-ec2.txt')), AntivirusSignatureLastUpdated: Math.round(now / 1000) - 86_400 },
            now,
          ),
        ];
      },
    ],
    [
      'antivirus, Linux ClamAV (sigtool capture) and mdatp, macOS XProtect',
      async () => {
        const clamav = mkdtempSync(join(tmpdir(), 'wp-clamav-'));
        writeFileSync(join(clamav, 'daily.cld'), '');
        const plist = join(mkdtempSync(join(tmpdir(), 'wp-xprotect-')), 'Info.plist');
        writeFileSync(
          plist,
          '<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>CFBundleShortVersionString</key><string>5328</string></dict></plist>\n',
        );
        const mdatp =
          '{"healthy":true,"real_time_protection_enabled":{"value":true},"passive_mode_enabled":false,"definitions_status":{"value":"up_to_date"},"definitions_version":"1.2.3","definitions_updated":1700000000000}';
        const runner = scripted({ sigtool: { stdout: fixture('linux/sigtool-info-daily.txt') }, mdatp: { stdout: mdatp } });
        return [
          ...(await createAntivirusProbe({ platform: 'linux', clamavDir: clamav }).collect(context(runner))),
          ...(await createAntivirusProbe({ platform: 'darwin', xprotectPlist: plist }).collect(context(runner))),
        ];
      },
    ],
    [
      'patches and patches_pending, Windows WUA, macOS softwareupdate, dnf and zypper',
      async () => {
        const drafts: SampleDraft[] = [];
        drafts.push(...(await createPatchesProbe({ platform: 'win32' }).collect(context(replayRunner(fixture('windows/wua-patches-documented.json')).runner))));
        for (const file of ['bigsur', 'catalina', 'catalina-clt', 'mojave']) {
          drafts.push(
            ...(await createPatchesProbe({ platform: 'darwin' }).collect(context(replayRunner(fixture(`darwin/softwareupdate-list-${file}.txt`)).runner))),
          );
        }
        const dnf = scripted({
          'dnf -C -q list --upgrades': { stdout: 'curl.x86_64  7.76.1-7.fc34  updates\n', exitCode: 100 },
          'dnf -C -q updateinfo list --security': { stdout: fixture('linux/patches/dnf-updateinfo-security-fedora34.txt') },
          'needs-restarting -r': { stdout: 'Reboot is required.\n', exitCode: 1 },
        });
        drafts.push(...(await createPatchesProbe({ platform: 'linux', manager: 'dnf', root: '/nonexistent' }).collect(context(dnf))));
        const zypper = scripted({
          'zypper --non-interactive --no-refresh --xmlout list-patches': {
            stdout: fixture('linux/patches/zypper-list-patches-security-leap16.xml'),
            exitCode: 101,
          },
        });
        drafts.push(...(await createPatchesProbe({ platform: 'linux', manager: 'zypper', root: '/nonexistent' }).collect(context(zypper))));
        return drafts;
      },
    ],
    [
      'raid: captured /proc/mdstat, Windows storage replies, macOS diskutil appleRAID',
      async () => {
        const drafts: SampleDraft[] = [];
        for (const file of ['mdstat-raid6-recovery.txt', 'mdstat-check-and-resync-delayed.txt', 'mdstat-inactive.txt', 'mdstat-raid0-over-raid1.txt']) {
          const proc = mkdtempSync(join(tmpdir(), 'wp-mdstat-'));
          writeFileSync(join(proc, 'mdstat'), fixture(`linux/raid/${file}`));
          drafts.push(...(await createRaidProbe({ platform: 'linux', procRoot: proc, sysRoot: '/nonexistent' }).collect(context())));
        }
        const windows = {
          subsystems: [
            {
              model: 'Windows Storage',
              vd: [
                { name: 'Volume2', resiliency: 'Mirror', health: 'Warning', operational: ['Degraded', 'Incomplete'], detached: 'None', redundancy: 1 },
                { name: 'Volume1', resiliency: 'Mirror', health: 'Unknown', operational: ['Detached'], detached: 'By Policy', redundancy: 1 },
              ],
            },
          ],
          pools: [{ name: 'Pool1', health: 'Warning', operational: ['Degraded'], readonly: 'None', disks: 3, unhealthy: 1 }],
          disks: [{ number: 0, name: 'HP LOGICAL VOLUME', bus: 'RAID' }],
        };
        drafts.push(...(await createRaidProbe({ platform: 'win32' }).collect(withWorker(windows))));
        for (const file of ['diskutil-appleraid-list-rebuilding-and-missing.txt', 'diskutil-appleraid-list-online.txt']) {
          drafts.push(...(await createRaidProbe({ platform: 'darwin' }).collect(context(replayRunner(fixture(`darwin/raid/${file}`)).runner))));
        }
        return drafts;
      },
    ],
    [
      'ups: captured upsc, apcaccess and pmset output, a Windows battery reply',
      async () => {
        const linux = scripted({
          'upsc -l': { stdout: 'ups\n' },
          'upsc ups': { stdout: fixture('linux/ups/upsc-cyberpower-cp850avrlcd-ol-chrg.txt') },
          'apcaccess status': { stdout: fixture('linux/ups/apcaccess-bk650m2-onbatt.txt') },
        });
        const darwin = scripted({ 'pmset -g batt': { stdout: fixture('darwin/ups/pmset-g-batt-ups-power-discharging.txt') } });
        const battery = { name: 'Back-UPS ES 500 FW:824.B1.D USB FW:B1', chemistry: 3, battery_status: 2, charge: 84, runtime: 19, status: 'OK' };
        return [
          ...(await createUpsProbe({ platform: 'linux', sysRoot: '/nonexistent', nutConfigPaths: [] }).collect(context(linux))),
          ...(await createUpsProbe({ platform: 'darwin', nutConfigPaths: [] }).collect(context(darwin))),
          ...(await createUpsProbe({ platform: 'win32' }).collect(withWorker({ batteries: [battery], chassis: [23], software: [] }))),
          ...(await createUpsProbe({ platform: 'win32' }).collect(withWorker({ batteries: [], chassis: [23], software: ['PowerChute Network Shutdown'] }))),
        ];
      },
    ],
    [
      'services, Windows Win32_Service rows and captured systemctl output',
      async () => {
        const rows = [
          { name: 'Spooler', display_name: 'Print Spooler', state: 'Stopped', exit_code: 1067, delayed: false, trigger: false },
          { name: 'sppsvc', display_name: 'Software Protection', state: 'Stopped', exit_code: 0, delayed: true, trigger: true },
        ];
        const systemd = mkdtempSync(join(tmpdir(), 'wp-systemd-'));
        const systemctl = replayRunner(fixture('linux/services/systemctl-failed-no-legend-fcos-bullet.txt')).runner;
        return [
          ...(await createServicesProbe({ platform: 'win32', uptime: () => 3600 }).collect(withWorker(rows))),
          ...(await createServicesProbe({ platform: 'linux', systemdRuntimeDir: systemd }).collect(context(systemctl))),
        ];
      },
    ],
    [
      'shutdowns, Windows events and macOS shutdown causes',
      async () => {
        const reply = {
          now: new Date().toISOString(),
          last: 48220,
          rows: [
            {
              id: 41,
              record: 48210,
              provider: 'Microsoft-Windows-Kernel-Power',
              time: new Date(Date.now() - 3_600_000).toISOString(),
              message: 'The system has rebooted without cleanly shutting down first.',
            },
            {
              id: 6008,
              record: 48213,
              provider: 'EventLog',
              time: new Date(Date.now() - 3_500_000).toISOString(),
              message: 'The previous system shutdown at 11:59:15 on 21.12.2021 was unexpected.',
            },
          ],
        };
        const mojave = replayRunner(fixture('darwin/shutdowns/log-show-shutdown-cause-mojave.txt')).runner;
        return [
          ...(await createShutdownsProbe({ platform: 'win32' }).collect(withWorker(reply))),
          ...(await createShutdownsProbe({ platform: 'darwin' }).collect({ ...context(mojave), now: () => Date.UTC(2019, 0, 16, 18) })),
        ];
      },
    ],
    [
      'backup, a Windows reply (the captured Microsoft-Windows-Backup 50, an MSP agent by presence) and macOS tmutil',
      async () => {
        const copy50 = fixture('windows/backup/microsoft-windows-backup-50-eventviewer-copy.txt');
        const reply = {
          logs: [{ key: 'wsb', ok: null, last: { xml: /<Event [\s\S]*<\/Event>/.exec(copy50)![0], msg: 'The backup operation has failed.' } }],
          sw: [{ name: 'Backup Manager', version: '23.4.0.23156' }],
          svc: [{ name: 'Backup Service Controller', display: 'Backup Service Controller', status: 'Running' }],
          errors: ['services: denied'],
        };
        const tmutil = scripted({
          'tmutil destinationinfo': { stdout: fixture('darwin/backup/tmutil-destinationinfo-afp-network.txt') },
          'tmutil latestbackup': { stdout: fixture('darwin/backup/tmutil-latestbackup-hfs.txt') },
        });
        return [
          ...(await createBackupProbe({ platform: 'win32' }).collect(withWorker(reply))),
          ...(await createBackupProbe({ platform: 'darwin' }).collect(context(tmutil))),
        ];
      },
    ],
    [
      'password_policy, remote_access and activation: Windows (a captured secedit export, worker replies), macOS pwpolicy, ssh.plist and netstat',
      async () => {
        const scratch = mkdtempSync(join(tmpdir(), 'wp-secedit-'));
        const secedit: Runner = async (command, args) => {
          if (command === 'secedit.exe')
            writeFileSync(args[args.indexOf('/cfg') + 1]!, fixture('windows/security/secedit-export-securitypolicy-member-server.inf'));
          return { stdout: '', stderr: '' };
        };
        const mac = mkdtempSync(join(tmpdir(), 'wp-ssh-plist-'));
        mkdirSync(join(mac, 'System/Library/LaunchDaemons'), { recursive: true });
        writeFileSync(join(mac, 'System/Library/LaunchDaemons/ssh.plist'), fixture('darwin/security/ssh-plist-high-sierra.plist'));
        const darwin = scripted({
          pwpolicy: { stdout: fixture('darwin/security/pwpolicy-getaccountpolicies-disa-stig-lockout.txt') },
          dsconfigad: { stdout: fixture('darwin/security/dsconfigad-show-bound.txt') },
          netstat: { stdout: fixture('darwin/netstat/netstat-atn-sequoia-15.0.1.txt') },
        });
        const rdp = { rdp: { deny: 0, port: 3389 }, services: [{ name: 'TermService', startMode: 'Manual', state: 'Running' }], listening: [3389] };
        const product = {
          name: 'Windows(R), Professional edition',
          description: 'Windows(R) Operating System, RETAIL channel',
          status: 5,
          reason: 3221549108,
          grace: 0,
          addon: false,
        };
        return [
          ...(await createPasswordPolicyProbe({ platform: 'win32', scratchDir: scratch }).collect(
            withWorker({ PartOfDomain: true, Domain: 'corp.example.com' }, secedit),
          )),
          ...(await createPasswordPolicyProbe({ platform: 'darwin' }).collect(context(darwin))),
          ...(await createRemoteAccessProbe({ platform: 'win32', programData: '/nonexistent' }).collect(withWorker(rdp))),
          ...(await createRemoteAccessProbe({ platform: 'darwin', root: mac }).collect(context(darwin))),
          ...(await createActivationProbe({ platform: 'win32' }).collect(withWorker({ products: [product] }))),
          ...(await createActivationProbe({ platform: 'win32' }).collect(withWorker({ products: [] }))),
        ];
      },
    ],
    [
      'eventlog, Windows event XML, journald JSON and macOS unified log',
      async () => {
        const events = [
          'application-wer-1001',
          'capi2-41-error',
          'security-5168-audit-failure',
          'system-104-application-cleared',
          'security-1102-log-cleared',
        ].flatMap((file) => parseWindowsEventXml(fixture(`windows/eventlog/${file}.xml`)).events);
        const journal = parseJournalJson(
          '{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1700000000000000","PRIORITY":"3","MESSAGE":"boom","SYSLOG_IDENTIFIER":"sshd","_SYSTEMD_UNIT":"ssh.service"}',
        ).entries;
        const unified = ['log-show-ndjson-coreaudio', 'log-show-ndjson-authorization-error'].flatMap(
          (file) => parseUnifiedNdjson(fixture(`darwin/${file}.ndjson`)).entries,
        );
        const all = [...events, ...journal, ...unified];
        expect(journal).toHaveLength(1);
        return [
          ...all.map((e) => eventSample(e, e.time)),
          ...countSamples({ [`System|error|${60_000}`]: 3 }, [`System|error|${60_000}`]),
          gapSample({ channel: 'Security', reason: 'cleared', detail: 'the log was cleared', lost: 12 }, Date.now()),
          gapSample({ channel: 'journal', reason: 'cursor_lost', detail: 'vacuumed' }, Date.now()),
        ];
      },
    ],
  ];

  it.each(sources)('%s: every sample fits the schema', async (source, build) => {
    const drafts = await build();
    expect(drafts.length, 'the source produced samples').toBeGreaterThan(0);
    expect(refusals(source, drafts)).toEqual([]);
  });

  it('together with this machine, they produce every measurement of the catalogue (none is stale)', () => {
    expect(Object.keys(AGENT_MEASUREMENTS).filter((m) => !seen.has(m))).toEqual([]);
  });
});
