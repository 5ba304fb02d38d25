// watchpost-collector serve: store, InfluxDB writer, HTTP/WebSocket server; graceful on SIGINT/SIGTERM.
import { CONFIG_OPTION, type Command } from './command.js';
import { configFrom, openStoreFor } from './context.js';
import { buildApp } from '../app.js';
import { createInfluxWriter } from '../influx/writer.js';
import { parseDuration } from '../config/duration.js';
import { parseListen } from '../config/config.js';
import { loadTlsMaterial } from '../config/tls.js';
import { checkListenPolicy } from '../config/plain-http-listen.js';
import { loadPolicy } from '../agent-link/probe-policy.js';
import { loadRules } from '../alerting/rules/rules-file.js';
import { loadDesks } from '../desks/desks-file.js';

export const serve: Command = {
  usage: '[--config FILE]',
  summary: 'run the collector (HTTP API, agent WebSocket, InfluxDB writer)',
  options: { ...CONFIG_OPTION },
  async run(input) {
    const config = configFrom(input);
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
    const { app, hub, updates } = await buildApp({ config, store, sink: writer, tls, policy: () => policy, rules: () => rules, desks: () => desks });
    writer.setLogger?.(app.log);
    if (plainWarning) app.log.warn(plainWarning);
    // InfluxDB may be down at start: the collector still starts, /healthz says why, and nothing is acked.
    await writer.ensureDatabase().catch(async (error: Error) => {
      app.log.warn({ err: error.message }, 'InfluxDB not ready at start; acking nothing until it is');
      await writer.checkHealth();
    });
    await app.listen({ host, port });
    // SIGHUP reloads the policy file (pushed to every live agent), the rules, the desks, the releases and the
    // rollouts; a bad file keeps the one in force, and each file is judged on its own.
    const reload = () => {
      try {
        policy = loadPolicy(config.policy.file);
        app.log.info({ file: config.policy.file, agents: hub.pushPolicy() }, 'policy reloaded and pushed');
      } catch (error) {
        app.log.error({ err: (error as Error).message }, 'policy reload failed; keeping the previous policy');
      }
      try {
        rules = readRules();
        app.log.info({ file: config.rules.file || '(default pack)' }, 'rules reloaded');
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
      updates.reload();
      app.log.info({ agents: hub.pushUpdateOffers() }, 'update offers pushed where they changed');
    };
    process.on('SIGHUP', reload);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        app.log.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.off('SIGHUP', reload);
    await app.close();
    await writer.close();
    store.close();
    return 0;
  },
};
