// Wire samples as the rules see them: tags and fields flattened into plain objects. Samples without a
// measurement or a usable time are skipped (influx/line-protocol.ts refuses them for InfluxDB for the same reasons).
import type { watchpost } from '../../../proto/index.js';
import type { RuleSample } from './contract.js';

export function toRuleSamples(samples: readonly watchpost.v1.ISample[]): RuleSample[] {
  const out: RuleSample[] = [];
  for (const s of samples) {
    const time = s.timeMs ?? 0;
    if (!s.measurement || !Number.isFinite(time) || time <= 0) continue;
    const tags: Record<string, string> = {};
    for (const t of s.tags ?? []) if (t.key) tags[t.key] = t.value ?? '';
    const fields: Record<string, number | string | boolean> = {};
    for (const f of s.fields ?? []) {
      if (!f.key) continue;
      const value = f.float ?? f.int ?? f.str ?? f.bool;
      if (value !== undefined && value !== null) fields[f.key] = value;
    }
    out.push({ measurement: s.measurement, tags, fields, time });
  }
  return out;
}
