// Pure parsing for the services probe: Windows auto-start services that are not running (JSON from
// WINDOWS_SERVICES_SCRIPT in services.ts) and Linux failed systemd units (`systemctl list-units --failed`).

export interface StoppedService {
  name: string;
  displayName: string;
  /** Windows: Win32_Service.State ("Stopped", "Start Pending", ...); Linux: the unit's ACTIVE state ("failed"). */
  state: string;
  /** Windows: Win32_Service.ExitCode (a uint32), absent when WMI has none; Linux: absent. */
  exitCode?: number;
  /** Windows: delayed auto-start. */
  delayed?: boolean;
  /** Windows: has triggers (HKLM\...\Services\<name>\TriggerInfo). */
  triggerStart?: boolean;
  /** Linux: the unit's SUB state. */
  sub?: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** The script's JSON: an array of {name, display_name, state, exit_code, delayed, trigger}; exit_code may be null. */
export function parseWindowsServices(value: unknown): StoppedService[] {
  const rows = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : null;
  if (!rows) throw new Error(`services: expected a JSON array, got ${JSON.stringify(value)?.slice(0, 200)}`);
  return rows.map((row: Record<string, unknown>) => {
    if (typeof row?.name !== 'string') throw new Error(`services: row without a name: ${JSON.stringify(row).slice(0, 200)}`);
    return {
      name: row.name,
      displayName: text(row.display_name),
      state: text(row.state),
      ...(Number.isInteger(row.exit_code) ? { exitCode: row.exit_code as number } : {}),
      delayed: row.delayed === true,
      triggerStart: row.trigger === true,
    };
  });
}

/**
 * `systemctl list-units --failed --plain --no-legend --no-pager --output=json`: a JSON array of
 * {unit, load, active, sub, description} (systemd >= 250 honours --output=json for list-units); older systemd
 * prints the plain table, one unit per line: UNIT LOAD ACTIVE SUB DESCRIPTION (description may contain spaces).
 */
export function parseSystemctlFailed(output: string): StoppedService[] {
  const trimmed = output.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) {
    const rows = JSON.parse(trimmed) as Record<string, unknown>[];
    return rows.map((r) => ({ name: text(r.unit), displayName: text(r.description), state: text(r.active), sub: text(r.sub) }));
  }
  return trimmed.split('\n').map((line) => {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line.trim().replace(/^[●*]\s*/, ''));
    if (!m) throw new Error(`services: unexpected systemctl line: ${line.slice(0, 200)}`);
    return { name: m[1] as string, displayName: (m[5] ?? '').trim(), state: m[3] as string, sub: m[4] as string };
  });
}
