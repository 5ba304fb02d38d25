// watchpost-collector desks test DESK: shows that a desk's setup works before the first real alert. The config and
// the desks file are loaded as `serve` loads them, the connector is made from one tenant's route to the desk (its
// mapping included), and the connector's test runs: harmless authenticated calls that create and change nothing.
// Each check prints as ✓ or ✗ with what the desk answered; every secret of the route is redacted from the output.
// Exit 0 when every check holds, 1 when one does not, 2 when nothing could be tested (an unknown desk, a desk no
// route uses, a connector type without a test).
import { parseDuration } from '../config/duration.js';
import { ConfigError, UsageError } from '../errors.js';
import { loadDesks, type DeskRoute, type DeskSet } from '../desks/desks-file.js';
import type { DeskCheck } from '../desks/contract.js';
import { redact } from '../desks/http.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { configFrom, singleId } from './context.js';
import { flag } from './hold-common.js';
import { printJson } from './table.js';

/** Long enough for a token request, a zone lookup and a few reads against a slow desk; short enough for a prompt. */
export const DEFAULT_TEST_TIMEOUT = '30s';

/** Why a connector type has no test, where a plain "has no test" would leave the reader guessing. */
const NO_TEST_REASONS: Record<string, string> = {
  webhook: 'a webhook receiver has no harmless call; it is only tested by sending',
};

/** Which route was used: a tenant's own (`tenants.<id>`) or the one for tenants not listed (`default_desks`). */
export interface ChosenRoute {
  route: DeskRoute;
  tenant: string | null;
  source: string;
}

/**
 * The route to test: with a tenant, that tenant's route (a tenant the file does not list uses default_desks);
 * without, the default_desks route, else the first tenant (in file order) that routes to the desk.
 */
export function chooseRoute(desks: DeskSet, desk: string, tenant: string | undefined): ChosenRoute {
  if (!desks.names().includes(desk)) throw new UsageError(`unknown desk "${desk}" (desks: ${desks.names().join(', ') || 'none'})`);
  if (tenant !== undefined) {
    const listed = desks.tenants().includes(tenant);
    const route = desks.route(desk, tenant);
    const source = listed ? `tenants.${tenant}` : 'default_desks';
    if (!route)
      throw new UsageError(
        `tenant ${tenant} does not route to desk "${desk}" (its desks, from ${source}: ${
          desks
            .routes(tenant)
            .map((r) => r.desk)
            .join(', ') || 'none'
        })`,
      );
    return { route, tenant, source };
  }
  const byDefault = desks.defaultRoutes().find((r) => r.desk === desk);
  if (byDefault) return { route: byDefault, tenant: null, source: 'default_desks' };
  for (const t of desks.tenants()) {
    const route = desks.route(desk, t);
    if (route) return { route, tenant: t, source: `tenants.${t}` };
  }
  throw new UsageError(`desk "${desk}" is in no route (neither default_desks nor any tenant sends to it): nothing to test its mapping with`);
}

/** Runs the test, bounded: a test that overstays the timeout (or throws) is one failed check, never a hang. */
async function runTest(test: (signal: AbortSignal) => Promise<DeskCheck[]>, timeoutMs: number): Promise<DeskCheck[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<DeskCheck[]>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no result within ${timeoutMs} ms`));
      resolve([{ check: 'desk test', ok: false, detail: `no result within ${timeoutMs} ms (the desk or the network is slow or unreachable)` }]);
    }, timeoutMs);
  });
  try {
    return await Promise.race([test(controller.signal), overdue]);
  } catch (error) {
    return [{ check: 'desk test', ok: false, detail: `the test stopped on an error: ${(error as Error).message}` }];
  } finally {
    clearTimeout(timer);
  }
}

const clean = (c: DeskCheck, secrets: readonly string[]): DeskCheck => ({ check: redact(c.check, secrets), ok: c.ok, detail: redact(c.detail, secrets) });

export const desksTest: Command = {
  usage: 'DESK [--tenant ID] [--timeout 30s] [--json] [--config FILE]',
  summary: "check a service desk's setup with harmless calls (auth, board/queue, correlation field); creates nothing",
  options: { ...CONFIG_OPTION, tenant: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' } },
  async run(input) {
    const desk = singleId(input, 'desk name', 'the desks file');
    const timeoutMs = parseDuration(flag(input.values.timeout) ?? DEFAULT_TEST_TIMEOUT);
    if (timeoutMs <= 0) throw new UsageError('--timeout: must be longer than 0');
    const config = configFrom(input);
    if (!config.desks.file) throw new ConfigError('desks.file: not set (WATCHPOST_DESKS_FILE): there are no desks to test');
    const desks = loadDesks(config.desks.file);
    const chosen = chooseRoute(desks, desk, flag(input.values.tenant));
    const { route } = chosen;
    const using = `desk ${desk} (${route.type}), route of ${chosen.tenant === null ? 'default_desks' : `tenant ${chosen.tenant} (${chosen.source})`}`;
    const connector = route.connector.create(route.settings, { fetch: globalThis.fetch, now: Date.now });
    try {
      if (!connector.test) {
        const why = NO_TEST_REASONS[route.type] ?? 'this connector type has no desk test';
        process.stderr.write(`${using}\n${route.type}: ${why}\n`);
        return 2;
      }
      const checks = (await runTest((signal) => connector.test!(signal), timeoutMs)).map((c) => clean(c, route.secrets));
      const ok = checks.length > 0 && checks.every((c) => c.ok);
      if (input.values.json) {
        printJson({ desk, type: route.type, tenant: chosen.tenant, route: chosen.source, ok, checks });
      } else {
        process.stdout.write(`${using}\n`);
        for (const c of checks) process.stdout.write(`${c.ok ? '✓' : '✗'} ${c.check}: ${c.detail}\n`);
        if (checks.length === 0) process.stdout.write('✗ desk test: the connector answered no checks\n');
      }
      return ok ? 0 : 1;
    } finally {
      await connector.close?.();
    }
  },
};
