// Pure parsing of `tmutil destinationinfo` and `tmutil latestbackup` (macOS Time Machine), per tmutil(8): latestbackup
// prints the path of the newest completed backup, whose last component is its local start time, YYYY-MM-DD-HHMMSS
// (HFS+ destinations: /Volumes/<disk>/Backups.backupdb/<machine>/<time>; APFS destinations, macOS 11 and later:
// /Volumes/.timemachine/<id>/<time>.backup/<time>.backup). tmutil exits 0 even when it has nothing to say, so the
// text decides, never the exit code.

export interface TimeMachineDestination {
  name?: string;
  kind?: string;
  mountPoint?: string;
  id?: string;
}

/**
 * `tmutil destinationinfo`: records of `Key : value` lines after a line of `=`; "No destinations configured" when
 * there is none. Null for text that is neither (an error message: the caller reports it).
 */
export function parseDestinationInfo(output: string): TimeMachineDestination[] | null {
  if (/No destinations configured/i.test(output)) return [];
  const destinations: TimeMachineDestination[] = [];
  let current: TimeMachineDestination | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (/^=+\s*$/.test(line)) {
      current = {};
      destinations.push(current);
      continue;
    }
    const m = /^\s*([A-Za-z][A-Za-z ]*?)\s*:\s*(.*)$/.exec(line);
    if (!m || !current) continue;
    const value = m[2]!.trim();
    if (m[1] === 'Name') current.name = value;
    else if (m[1] === 'Kind') current.kind = value;
    else if (m[1] === 'Mount Point') current.mountPoint = value;
    else if (m[1] === 'ID') current.id = value;
  }
  return destinations.length > 0 ? destinations : null;
}

/** Why `tmutil latestbackup` gave no backup: its own words, classified. */
export type LatestBackupProblem = 'full_disk_access' | 'destination_unavailable' | 'no_backup' | 'unrecognised';

export type LatestBackup = { time: number; path: string } | { problem: LatestBackupProblem; message: string };

/** Local wall time -> unix ms in the agent's own zone (the Mac's, as tmutil wrote it). Injectable for tests. */
export type LocalTime = (year: number, month: number, day: number, hour: number, minute: number, second: number) => number;
const systemLocalTime: LocalTime = (y, mo, d, h, mi, s) => new Date(y, mo - 1, d, h, mi, s).getTime();

const BACKUP_NAME = /(?:^|\/)(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(?:\.backup)?\/?$/;

/**
 * `tmutil latestbackup` (stdout and stderr together): the newest backup's path and time, or why there is none.
 * Full Disk Access: macOS refuses the verb to a process without it ("tmutil: latestbackup requires Full Disk Access
 * privileges."); an unplugged or unreachable destination: "Failed to mount backup destination"; a destination with
 * no backup of this Mac yet: "Unable to locate machine directory for host" / "No machine directory found".
 */
export function parseLatestBackup(output: string, localTime: LocalTime = systemLocalTime): LatestBackup {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    const m = line.startsWith('/') ? BACKUP_NAME.exec(line) : null;
    if (m) {
      const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      return { time: localTime(y, mo, d, h, mi, s), path: line };
    }
  }
  const message = lines.join(' ').slice(0, 300);
  if (/Full Disk Access/i.test(message)) return { problem: 'full_disk_access', message };
  if (/Failed to mount|destination.*(unavailable|not available)/i.test(message)) return { problem: 'destination_unavailable', message };
  if (/machine directory|No backups? found/i.test(message) || message === '') return { problem: 'no_backup', message: message || 'no backup listed' };
  return { problem: 'unrecognised', message };
}
