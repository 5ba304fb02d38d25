// watchpost-collector serve: store, InfluxDB writer, HTTP/WebSocket server; graceful on SIGINT/SIGTERM; SIGHUP
// re-reads the config file's reloadable keys (config/reload.ts) and then the files it names. With several
// collectors on one store, a reload here (SIGHUP or POST /api/v1/reload) is told to the others, which reload too.
import { CONFIG_OPTION, type Command } from './command.js';
import { configFrom, openStoreFor } from './context.js';
import { buildApp, updateSettings } from '../app.js';
import { createInfluxWriter } from '../influx/writer.js';
import { parseDuration } from '../config/duration.js';
import { parseListen } from '../config/config.js';
import { loadTlsMaterial } from '../config/tls.js';
import { checkListenPolicy } from '../config/plain-http-listen.js';
import { loadPolicy } from '../agent-link/probe-policy.js';
import { loadRules, type RuleSet } from '../alerting/rules/rules-file.js';
import { unknownTenantMessage, unknownTenants } from '../alerting/rules/effective.js';
import { loadDesks } from '../desks/desks-file.js';
import { applyReloadable, changedKeys } from '../config/reload.js';
import type { Store } from '../store/index.js';

/** Logs a warning per rules-file entry for a tenant that does not exist (a misspelling, or one not added yet). */
function warnUnknownTenants(set: RuleSet, store: Store, log: { warn(object: object, message: string): void }): void {
  const known = store.tenants.list().map((t) => t.id);
  for (const u of unknownTenants(set, known)) log.warn({ tenant: u.tenant, nearest: u.nearest }, unknownTenantMessage(u));
}

export const serve: Command = {
  usage: '[--config FILE]',
  summary: 'run the collector (HTTP API, agent WebSocket, InfluxDB writer)',
  options: { ...CONFIG_OPTION },
  async run(input) {
    let config = configFrom(input);
    const { host, port } = parseListen(config.listen);
    // Both throw ConfigError naming the key (exit 2) before anything is opened.
    const tls = loadTlsMaterial(config.tls);
    const plainWarning = checkListenPolicy({ host, tls: tls !== null, allowPlainRemote: config.agents.allowPlainRemote });
    let policy = loadPolicy(config.policy.file);
    const readRules = () => loadRules(config.rules.file || undefined, { includeDefaults: config.rules.defaults });
    let rules = readRules();
    let desks = loadDesks(config.desks.file);
    const store = openStoreFor(config);
    const writer = createInfluxWriter({
      url: config.influx.url,
      database: config.influx.database,
      retentionPolicy: { name: config.influx.retentionPolicy, duration: config.influx.retention },
      batchSize: config.influx.batchSize,
      flushIntervalMs: parseDuration(config.influx.flushInterval),
    });
    const { app, hub, updates, reconfigure, cluster, setReload } = await buildApp({
      config,
      store,
      sink: writer,
      tls,
      policy: () => policy,
      rules: () => rules,
      desks: () => desks,
    });
    writer.setLogger?.(app.log);
    if (plainWarning) app.log.warn(plainWarning);
    warnUnknownTenants(rules, store, app.log);
    // InfluxDB may be down at start: the collector still starts, /healthz says why, and nothing is acked.
    await writer.ensureDatabase().catch(async (error: Error) => {
      app.log.warn({ err: error.message }, 'InfluxDB not ready at start; acking nothing until it is');
      await writer.checkHealth();
    });
    await app.listen({ host, port });
    // SIGHUP first re-reads the config file: its reloadable keys (file paths, log level, per-IP limits) apply, a
    // changed key that needs a restart is logged by name and keeps its running value, and a config that no longer
    // loads keeps the one in force. Then the policy file (pushed to every live agent), the rules, the desks, the
    // releases and the rollouts are reloaded from the paths in force; a bad file keeps the one in force, and each
    // file is judged on its own.
    const reloadConfig = () => {
      const file = typeof input.values.config === 'string' ? input.values.config : '(environment)';
      try {
        const next = configFrom(input);
        const { reloaded, restart } = changedKeys(config, next);
        config = applyReloadable(config, next);
        // Logged before the new log level applies, so a change to a quieter level is still on record.
        if (restart.length > 0) app.log.warn({ file, keys: restart }, 'config keys changed that need a restart; their running values stay until then');
        app.log.info({ file, keys: reloaded }, reloaded.length > 0 ? 'config reloaded' : 'config reloaded; no reloadable key changed');
        reconfigure(config);
      } catch (error) {
        app.log.error({ file, err: (error as Error).message }, 'config reload failed; keeping the config in force');
      }
    };
    const reload = () => {
      reloadConfig();
      try {
        policy = loadPolicy(config.policy.file);
        app.log.info({ file: config.policy.file, agents: hub.pushPolicy() }, 'policy reloaded and pushed');
      } catch (error) {
        app.log.error({ err: (error as Error).message }, 'policy reload failed; keeping the previous policy');
      }
      try {
        rules = readRules();
        app.log.info({ file: config.rules.file || '(default pack)' }, 'rules reloaded');
        warnUnknownTenants(rules, store, app.log);
      } catch (error) {
        app.log.error({ err: (error as Error).message }, 'rules reload failed; keeping the rules in force');
      }
      try {
        desks = loadDesks(config.desks.file);
        app.log.info({ file: config.desks.file || '(none)', desks: desks.names() }, 'service desks reloaded');
      } catch (error) {
        app.log.error({ err: (error as Error).message }, 'desks reload failed; keeping the desks in force');
      }
      // Releases and rollouts log their own outcome (each judged on its own); live agents hear of changed offers.
      updates.reload(updateSettings(config));
      app.log.info({ agents: hub.pushUpdateOffers() }, 'update offers pushed where they changed');
    };
    setReload(reload);
    cluster.onNews((news, delayMs) => {
      if (news.kind !== 'reload') return;
      app.log.info({ from: news.from, delayMs }, 'cluster: another collector reloaded; reloading here');
      reload();
    });
    const reloadAndTell = () => {
      reload();
      if (cluster.shared)
        cluster
          .tell({ kind: 'reload' })
          .catch((error: Error) => app.log.warn({ err: error.message }, 'cluster: could not tell the other collectors to reload'));
    };
    process.on('SIGHUP', reloadAndTell);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        app.log.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.off('SIGHUP', reloadAndTell);
    await app.close();
    await writer.close();
    store.close();
    return 0;
  },
};
