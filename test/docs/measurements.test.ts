// docs/measurements.md and the README's index of measurements are exactly what `npm run gen` writes from the
// references beside the code (scripts/lib/measurement-reference.ts); every probe has its reference, in the fixed
// format, stating the schedule the probe really has. The fields' types against the collector's catalogue:
// test/collector/agent-link/admission/reference-catalogue.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probes } from '../../agent/src/probes/index.js';
import {
  DOC_PATH,
  INDEX_END,
  INDEX_START,
  loadReferences,
  NO_TAGS,
  parseReference,
  README_PATH,
  renderMeasurementsDoc,
  withReadmeIndex,
} from '../../scripts/lib/measurement-reference.js';

const references = loadReferences(Object.keys(probes));

describe('docs/measurements.md', () => {
  it('is what `npm run gen` writes from the references', () => {
    expect(readFileSync(DOC_PATH, 'utf8'), `${DOC_PATH} is stale: run npm run gen`).toBe(renderMeasurementsDoc(references));
  });

  it("the README's index of measurements is current", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toContain(INDEX_START);
    expect(withReadmeIndex(readme, references), `the index in ${README_PATH} is stale: run npm run gen`).toBe(readme);
  });
});

describe('the references beside the code', () => {
  it('every probe of the registry has a README.md that documents at least one measurement', () => {
    expect(references.filter((r) => r.probe !== undefined).map((r) => r.probe)).toEqual(Object.keys(probes));
  });

  it.each(Object.entries(probes))("%s: its README's default schedule is the probe's", (key, factory) => {
    const reference = references.find((r) => r.probe === key)!;
    const cron = /\(`([^`]+)`\)/.exec(reference.intro.get('Default schedule') ?? '')?.[1];
    expect(cron, `${reference.path}: name the schedule as (\`<cron>\`)`).toBe(factory().schedule);
  });

  it('no measurement is documented twice', () => {
    const names = references.flatMap((r) => r.measurements.map((m) => m.name));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('every relative link in a reference leads to a file or folder of the repository', () => {
    const broken = references.flatMap((r) =>
      [...r.lines.join('\n').matchAll(/\]\(([^)\s#]+)(?:#[^)\s]*)?\)/g)]
        .map((m) => m[1]!)
        .filter((target) => !/^[a-z]+:/i.test(target))
        .map((target) => posix.normalize(join(dirname(r.path), target)))
        .filter((path) => !existsSync(path))
        .map((path) => `${r.path} -> ${path}`),
    );
    expect(broken).toEqual([]);
  });
});

describe('the reference format', () => {
  const probe = (measurement: string, tail = '## How it is read\n\n## Cost per run\n\n## Left out\n') =>
    `# \`x\` probe\n\n- **Platforms:** Linux\n- **Default schedule:** hourly (\`0 0 * * * *\`)\n\n${measurement}\n${tail}`;
  const fields = '| field | type | unit | meaning |\n| --- | --- | --- | --- |\n| `count` | integer | count | how many |\n';
  const good = `## Measurement \`x\`\n\n- **What:** a thing\n- **When:** hourly\n\n${NO_TAGS}\n\n${fields}`;

  it('reads a measurement: what, when, tags and typed fields', () => {
    const tags = '| tag | values |\n| --- | --- |\n| `kind` | `a`, `b` |\n';
    const reference = parseReference('x/README.md', probe(`## Measurement \`x\`\n\n- **What:** a thing\n- **When:** hourly\n\n${tags}\n${fields}`), 'x');
    expect(reference.measurements).toEqual([
      {
        name: 'x',
        what: 'a thing',
        when: 'hourly',
        tags: [{ name: 'kind', values: '`a`, `b`' }],
        fields: [{ name: 'count', type: 'integer', unit: 'count', meaning: 'how many' }],
      },
    ]);
    expect(reference.intro.get('Default schedule')).toBe('hourly (`0 0 * * * *`)');
  });

  it.each([
    ['a type InfluxDB does not have', probe(good.replace('| integer |', '| int |')), /x\/README.md:\d+: type int/],
    ['a measurement without What and When', probe(good.replace('- **What:** a thing\n', '')), /What/],
    ['neither a tag table nor the no-tags line', probe(good.replace(NO_TAGS, '')), /either a `\| tag \| values \|` table/],
    ['no field table', probe(good.replace(fields, '')), /no `\| field/],
    ['two names in one row', probe(good.replace('| `count` |', '| `count`, `total` |')), /one `snake_case` name/],
    ['a probe without its closing sections', probe(good, '## Left out\n'), /ends with the sections/],
    ['a probe without its schedule', probe(good).replace(/- \*\*Default schedule.*\n/, ''), /Default schedule/],
  ])('refuses %s, naming the file and line', (_, text, message) => {
    expect(() => parseReference('x/README.md', text, 'x')).toThrow(message);
  });

  it('a reference that no probe writes names its writer', () => {
    expect(() => parseReference('x/measurements.md', `# x\n\n${good}`)).toThrow(/Written by/);
    expect(parseReference('x/measurements.md', `# x\n\n- **Written by:** the agent\n\n${good}`).measurements).toHaveLength(1);
  });

  it(`the README keeps its index between the two marker lines`, () => {
    expect(() => withReadmeIndex('# README\n', references)).toThrow(INDEX_END);
  });
});
