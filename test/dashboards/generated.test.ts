// The committed dashboards/*.json are exactly what `npm run gen` writes from dashboards/src: a change to the
// TypeScript without regenerating (or a hand edit of the JSON) fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../dashboards/src/index.js';

const DIR = 'dashboards';

describe('generated dashboards', () => {
  const rendered = renderDashboards();

  it('every registered dashboard is committed, unchanged (run `npm run gen` to refresh)', () => {
    for (const [file, text] of rendered) {
      expect(readFileSync(`${DIR}/${file}`, 'utf8'), `${DIR}/${file} is stale: run npm run gen`).toBe(text);
    }
  });

  it('no committed dashboard JSON is left over from a removed dashboard', () => {
    const committed = readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed).toEqual([...rendered.keys()].sort());
  });
});
