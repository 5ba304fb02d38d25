// The collector's layer rules (eslint.config.js, collectorLayers): each refuses what its layer must not import and
// lets through what the layer is for, so a rule that stops matching (a renamed folder, a bad pattern) fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleIds(from: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as x from '${from}';\nexport const y = x;\n`, { filePath: `collector/src/${file}` });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('eslint layers of the collector', () => {
  it.each([
    ['the store, config schemas', 'store/bad.ts', '../config/config.js'],
    ['the store, routes', 'store/bad.ts', '../routes/tickets.js'],
    ['the store, alerting', 'store/bad.ts', '../alerting/engine.js'],
    ['the store, the rules', 'store/bad.ts', '../alerting/rules/rules-file.js'],
    ['the store, ticket logic', 'store/bad.ts', '../tickets/lifecycle.js'],
    ['the store, the agent link', 'store/bad.ts', '../agent-link/ingest.js'],
    ['routes, the SQL of the store', 'routes/bad.ts', '../store/tickets.js'],
    ['the CLI, the SQL of the store', 'commands/bad.ts', '../store/api-keys.js'],
    ['a top-level file, the SQL of the store', 'bad.ts', './store/db.js'],
    ['influx/, alerting', 'influx/bad.ts', '../alerting/engine.js'],
    ['influx/, the store', 'influx/bad.ts', '../store/index.js'],
    ['influx/, tickets', 'influx/bad.ts', '../tickets/model.js'],
    ['alerting, routes', 'alerting/bad.ts', '../routes/tickets.js'],
    ['the rules, routes', 'alerting/rules/bad.ts', '../../routes/rules.js'],
    ['alerting, the agent link', 'alerting/bad.ts', '../agent-link/ingest.js'],
    ['tickets, routes', 'tickets/bad.ts', '../routes/tickets.js'],
    ['tickets, desks', 'tickets/bad.ts', '../desks/desk-outbox-feed.js'],
    ['the agent link, alerting', 'agent-link/bad.ts', '../alerting/engine.js'],
    ['admission, routes', 'agent-link/admission/bad.ts', '../../routes/api.js'],
    ['desks, routes', 'desks/bad.ts', '../routes/desks.js'],
    ['a connector, the agent link', 'desks/connectors/bad.ts', '../../agent-link/ingest.js'],
    ['the collector, the agent', 'routes/bad.ts', '../../../agent/src/agent.js'],
  ])('refuses %s', async (_what, file, from) => {
    expect(await ruleIds(from, file)).toContain('no-restricted-imports');
  });

  it.each([
    ['the store, the models it records', 'store/bad.ts', '../tickets/model.js'],
    ['the store, the alert contract', 'store/bad.ts', '../alerting/contract.js'],
    ['the store, the desk contract', 'store/bad.ts', '../desks/contract.js'],
    ['the store, itself', 'store/bad.ts', './tickets.js'],
    ['routes, the store index', 'routes/bad.ts', '../store/index.js'],
    ['alerting, tickets and the store index', 'alerting/bad.ts', '../tickets/lifecycle.js'],
    ['influx/, config', 'influx/bad.ts', '../config/duration.js'],
    ['everyone, the protocol', 'agent-link/bad.ts', '../../../proto/index.js'],
  ])('allows %s', async (_what, file, from) => {
    expect(await ruleIds(from, file)).toEqual([]);
  });
});
