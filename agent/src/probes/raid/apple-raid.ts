// macOS: `diskutil appleRAID list` (AppleRAID sets: mirror, stripe, concat) parsed into RaidArrays. Pure.
//
//   Name:                 fud                                       one block of "Key: value" lines per set,
//   Type:                 Mirror                                    then one row per member:
//   Status:               Degraded                                  #  DevNode  UUID  Status  Size
//   -  -none-    E359E660-2E69-4F67-B2DF-4FE4127B4383  Missing/Damaged      (a rebuilding member: "63% (Rebuilding)")
import { redundantLevel, type RaidArray, type RaidState } from './raid-array.js';

interface AppleRaidSet {
  values: Map<string, string>;
  members: { status: string; percent?: number }[];
}

const MEMBER = /^\s*(?:\d+|-)\s+\S+\s+[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\s+(.*)$/i;

function parseSets(text: string): AppleRaidSet[] {
  const sets: AppleRaidSet[] = [];
  let current: AppleRaidSet | undefined;
  for (const line of text.split(/\r?\n/)) {
    const pair = /^([A-Z][\w /]*?):\s+(.*)$/.exec(line.trim());
    if (pair && pair[1] === 'Name') {
      current = { values: new Map(), members: [] };
      sets.push(current);
    }
    if (!current) continue;
    const member = MEMBER.exec(line);
    if (member) {
      const rest = member[1]!.trim();
      const rebuilding = /^(\d+)%\s*\(Rebuilding\)/i.exec(rest);
      current.members.push(rebuilding ? { status: 'Rebuilding', percent: Number(rebuilding[1]) } : { status: rest.replace(/\s*[\d.]+(\s.*)?$/, '').trim() });
    } else if (pair) {
      current.values.set(pair[1]!, pair[2]!.trim());
    }
  }
  return sets;
}

function setState(status: string, rebuilding: boolean): RaidState {
  if (/^online$/i.test(status)) return rebuilding ? 'syncing' : 'ok';
  if (/^degraded$/i.test(status)) return rebuilding ? 'rebuilding' : 'degraded';
  if (/^(offline|failed)$/i.test(status)) return 'failed';
  return 'unknown';
}

/** Every AppleRAID set; none when the output lists no set ("No AppleRAID sets found"). */
export function parseAppleRaidList(text: string): RaidArray[] {
  return parseSets(text).map((set): RaidArray => {
    const status = set.values.get('Status') ?? '';
    const level = set.values.get('Type');
    const rebuilding = set.members.find((m) => m.status === 'Rebuilding');
    const spares = set.members.filter((m) => /^spare$/i.test(m.status)).length;
    const redundant = redundantLevel(level);
    const state = setState(status, rebuilding !== undefined);
    return {
      name: set.values.get('Name') ?? '(unnamed)',
      kind: 'apple_raid',
      state,
      ...(status ? { osState: status } : {}),
      ...(level ? { level } : {}),
      ...(redundant === undefined ? {} : { redundant }),
      members: set.members.length - spares,
      activeMembers: set.members.filter((m) => /^online$/i.test(m.status)).length,
      failedMembers: set.members.filter((m) => /missing|damaged|failed|offline/i.test(m.status)).length,
      spareMembers: spares,
      ...(rebuilding ? { syncAction: 'rebuild', ...(rebuilding.percent === undefined ? {} : { syncPercent: rebuilding.percent }) } : {}),
      ...(state === 'unknown' ? { detail: `status ${status || 'missing'}` } : {}),
    };
  });
}
