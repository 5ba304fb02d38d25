// The end-of-support table (collector/data/os-lifecycle.yaml, or the file in `lifecycle.file`) and the pure
// function that places one machine in it. The table is data so that it can be updated without an agent release.
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../errors.js';
import { firstSchemaError } from '../config/schema-errors.js';
import { readYamlFile } from '../config/yaml-file.js';

export const DEFAULT_LIFECYCLE_FILE = fileURLToPath(new URL('../../data/os-lifecycle.yaml', import.meta.url));
const DAY_MS = 86_400_000;

const DateString = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD', expected: 'a date YYYY-MM-DD' });
const Eol = Type.Union([DateString, Type.Null()], { description: 'last day of security updates; null: no end announced' });
const Name = Type.String({ minLength: 1 });
const Build = Type.Integer({ minimum: 1 });

export const LifecycleSchema = Type.Object(
  {
    windows_client: Type.Array(
      Type.Object(
        { build: Build, name: Name, eol: Type.Object({ home_pro: Eol, enterprise: Eol }, { additionalProperties: false }) },
        { additionalProperties: false },
      ),
    ),
    windows_ltsc: Type.Array(Type.Object({ build: Build, name: Name, eol: Eol, iot_eol: Type.Optional(Eol) }, { additionalProperties: false })),
    windows_server: Type.Array(Type.Object({ build: Build, name: Name, eol: Eol }, { additionalProperties: false })),
    linux: Type.Array(Type.Object({ id: Name, version: Name, name: Name, eol: Eol }, { additionalProperties: false })),
    macos: Type.Array(Type.Object({ version: Name, name: Name, eol: Eol }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type LifecycleTable = Static<typeof LifecycleSchema>;

/** Validates a parsed document; throws ConfigError naming the file and the entry ("linux[3].eol: ..."). */
export function validateLifecycle(doc: unknown, file = 'lifecycle'): LifecycleTable {
  const problem = firstSchemaError(LifecycleSchema, doc);
  if (problem) throw new ConfigError(`${file}: ${problem}`);
  return doc as LifecycleTable;
}

/** Reads and validates the table at collector start (lifecycle.file; empty = the shipped table). */
export function loadLifecycle(file: string = DEFAULT_LIFECYCLE_FILE): LifecycleTable {
  return validateLifecycle(readYamlFile(file, 'lifecycle.file'), file);
}

/** What the inventory probe reports about the OS (the `inventory` point's os_* fields). */
export interface OsIdentity {
  family: string; // windows | linux | macos
  name: string;
  version: string;
  build?: string;
  edition?: string;
  productType?: string; // workstation | server | domain_controller
  id?: string;
  versionId?: string;
}

export interface SupportStatus {
  supported: boolean | 'unknown';
  /** YYYY-MM-DD, or null when the table has no end date (or no row). */
  endOfSupport: string | null;
  /** Whole days from `today` to the end date (negative once past); null without an end date. */
  daysLeft: number | null;
  /** The table row that matched, e.g. "Windows 11 23H2". */
  release: string | null;
}

const UNKNOWN: SupportStatus = { supported: 'unknown', endOfSupport: null, daysLeft: null, release: null };

/** EditionID classes: LTSC (EnterpriseS, IoTEnterpriseS[N]), enterprise (Enterprise, Education, IoT Enterprise), home/pro. */
export function editionClass(edition: string | undefined): 'ltsc' | 'enterprise' | 'home_pro' {
  const e = (edition ?? '').trim();
  if (/^(iot)?enterprises(n)?$/i.test(e)) return 'ltsc';
  if (/^(iot)?enterprise|^education/i.test(e)) return 'enterprise';
  return 'home_pro';
}

function windowsRow(os: OsIdentity, table: LifecycleTable): { name: string; eol: string | null } | undefined {
  const build = Number(os.build);
  if (!Number.isInteger(build)) return undefined;
  if (os.productType === 'server' || os.productType === 'domain_controller') return table.windows_server.find((r) => r.build === build);
  const cls = editionClass(os.edition);
  if (cls === 'ltsc') {
    const row = table.windows_ltsc.find((r) => r.build === build);
    if (!row) return undefined;
    const iot = /^iot/i.test(os.edition ?? '');
    return { name: row.name, eol: iot && row.iot_eol !== undefined ? row.iot_eol : row.eol };
  }
  const row = table.windows_client.find((r) => r.build === build);
  return row && { name: row.name, eol: row.eol[cls] };
}

function linuxRow(os: OsIdentity, table: LifecycleTable) {
  const id = (os.id ?? '').toLowerCase();
  const version = os.versionId ?? '';
  const major = version.split('.')[0];
  return table.linux.find((r) => r.id === id && r.version === version) ?? table.linux.find((r) => r.id === id && r.version === major);
}

function macosRow(os: OsIdentity, table: LifecycleTable) {
  const parts = os.version.split('.');
  const key = parts[0] === '10' ? parts.slice(0, 2).join('.') : parts[0];
  return table.macos.find((r) => r.version === key);
}

const ROWS: Record<string, (os: OsIdentity, table: LifecycleTable) => { name: string; eol: string | null } | undefined> = {
  windows: windowsRow,
  linux: linuxRow,
  macos: macosRow,
};

/** Support status of one machine on `today` (a date; only its UTC day counts). The end date is the last supported day. */
export function supportStatus(os: OsIdentity, table: LifecycleTable, today: Date): SupportStatus {
  const row = ROWS[os.family]?.(os, table);
  if (!row) return UNKNOWN;
  if (row.eol === null) return { supported: true, endOfSupport: null, daysLeft: null, release: row.name };
  const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const daysLeft = Math.round((Date.parse(`${row.eol}T00:00:00Z`) - day) / DAY_MS);
  return { supported: daysLeft >= 0, endOfSupport: row.eol, daysLeft, release: row.name };
}
