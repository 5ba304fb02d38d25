// Lint: typescript-eslint's recommended rules, plus the architectural rules the build cannot see: the agent and the
// collector never import each other (they share only the generated protocol code in proto/), and each layer of
// either imports only what sits below it (agentLayers, collectorLayers; each rule proved by test/lint/*-layers.test.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The width Prettier formats to (.prettierrc.json printWidth). */
const MAX_LINE = 160;

const boundary = (other) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: [`**/${other}/**`, `${other}/**`],
          message: `agent and collector never import each other; share code only through proto/`,
        },
      ],
    },
  ],
});

// The agent's layers, read like its pipeline: probes -> scheduler -> delivery (batcher, spool, link), with base/ at
// the bottom and the CLI (cli.ts, commands/) on top. ESLint keeps one no-restricted-imports setting per file (the
// last matching block wins), so each block repeats the agent/collector boundary and the rules of the layers above.
const agentRule = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: [...boundary('collector')['no-restricted-imports'][1].patterns, ...patterns] }],
});
const agentLayer = {
  commands: { group: ['**/commands/**'], message: 'only cli.ts and commands/ import commands/: the CLI sits on top of the agent' },
  probeFolders: {
    group: ['**/probes/*/**'],
    message: 'outside probes/, a probe is reached only through the registry (probes/index.ts) and the contract (probes/probe.ts)',
  },
  probes: {
    group: [
      '**/delivery/**',
      '**/scheduler/**',
      '**/checkpoints/**',
      '**/watchdog/**',
      '**/status/**',
      '**/identity/**',
      '**/service/**',
      '**/update/**',
      '**/patching/**',
      '**/agent.js',
      '**/cli.js',
    ],
    message:
      'a probe only measures: it imports probes/probe.ts, probes/common/, base/, exec/, sample.ts and version.ts; the scheduler, checkpoints and delivery reach it through ProbeContext',
  },
  otherProbe: {
    regex: '^\\.\\./(?!common/)[\\w-]+/',
    message: "a probe's folder never imports another probe's folder: what two probes share lives in probes/common/",
  },
  delivery: {
    group: [
      '**/probes/**',
      '**/scheduler/**',
      '!**/scheduler/central-policy.js',
      '**/watchdog/**',
      '**/status/**',
      '**/service/**',
      '**/update/**',
      '**/agent.js',
    ],
    message:
      'delivery/ moves the samples it is handed: it never imports probes/, the scheduler (only the central policy the link decodes), the watchdog, status/ or the CLI',
  },
  scheduler: {
    group: ['**/delivery/**', '**/probes/index.js', '**/watchdog/**', '**/status/**', '**/service/**', '**/update/**', '**/agent.js'],
    message:
      'the scheduler knows probes only through their contract (probes/probe.ts) and hands samples on through onSamples: it never imports delivery/ or the registry',
  },
  base: { regex: '^\\.\\./', message: 'base/ is the bottom layer: it imports nothing else from agent/src' },
  patching: {
    group: [
      '**/delivery/**',
      '**/scheduler/**',
      '**/checkpoints/**',
      '**/watchdog/**',
      '**/status/**',
      '**/identity/**',
      '**/service/**',
      '**/update/**',
      '**/probes/*',
      '**/probes/*/**',
      '!**/probes/patches/',
      '!**/probes/patches/linux.js',
      '**/agent.js',
      '**/cli.js',
    ],
    message:
      'patching/ installs a validated plan: it imports base/, exec/, sample.ts and the reboot-pending check it shares with the patches probe (probes/patches/linux.ts); the link calls runPatchPlan, so never delivery/, the scheduler or other probes',
  },
};
const agentLayers = [
  { files: ['agent/src/**/*.ts'], ignores: ['agent/src/probes/**'], rules: agentRule(agentLayer.probeFolders) },
  {
    files: ['agent/src/**/*.ts'],
    ignores: ['agent/src/commands/**', 'agent/src/cli.ts', 'agent/src/probes/**'],
    rules: agentRule(agentLayer.probeFolders, agentLayer.commands),
  },
  { files: ['agent/src/probes/**/*.ts'], rules: agentRule(agentLayer.commands, agentLayer.probes) },
  { files: ['agent/src/probes/*/**/*.ts'], rules: agentRule(agentLayer.commands, agentLayer.probes, agentLayer.otherProbe) },
  { files: ['agent/src/delivery/**/*.ts'], rules: agentRule(agentLayer.probeFolders, agentLayer.commands, agentLayer.delivery) },
  { files: ['agent/src/scheduler/**/*.ts'], rules: agentRule(agentLayer.probeFolders, agentLayer.commands, agentLayer.scheduler) },
  { files: ['agent/src/base/**/*.ts'], rules: agentRule(agentLayer.base) },
  { files: ['agent/src/patching/**/*.ts'], rules: agentRule(agentLayer.commands, agentLayer.patching) },
];

// The collector's layers, read like its diagram: agent-link/ (upgrade -> session -> ingest -> admission/) and influx/
// at the bottom of the write path, alerting/ -> tickets/ -> the outboxes beside it, the store under both, routes/ and
// commands/ on top. Each block repeats the agent/collector boundary and, outside store/, the store's public index.
const collectorRule = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: [...boundary('agent')['no-restricted-imports'][1].patterns, ...patterns] }],
});
const collectorLayer = {
  storeIndex: {
    group: ['**/store/*', '!**/store/index.js'],
    message: 'outside store/, the store is reached only through its public index (store/index.ts), never its SQL modules',
  },
  store: {
    group: [
      '**/config/**',
      '**/routes/**',
      '**/commands/**',
      '**/releases/**',
      '**/agent-link/**',
      '**/http/**',
      '**/influx/**',
      '**/os-support/**',
      '**/alerting/*',
      '!**/alerting/contract.js',
      '**/tickets/*',
      '!**/tickets/model.js',
      '**/desks/*',
      '!**/desks/contract.js',
      '**/app.js',
      '**/cli.js',
    ],
    message:
      'the store records alerts, tickets and desk events by their models (alerting/contract.ts, tickets/model.ts, desks/contract.ts) ' +
      'and imports nothing else outside store/: no config schemas, routes, alerting or agent link',
  },
  influx: {
    group: [
      '**/store/**',
      '**/alerting/**',
      '**/tickets/**',
      '**/desks/**',
      '**/routes/**',
      '**/commands/**',
      '**/releases/**',
      '**/agent-link/**',
      '**/app.js',
    ],
    message: 'influx/ writes line protocol to InfluxDB: it never imports the store, alerting, tickets, desks, routes or the agent link',
  },
  alerting: {
    group: ['**/routes/**', '**/commands/**', '**/releases/**', '**/agent-link/**', '**/desks/**', '**/app.js'],
    message: 'alerting/ and tickets/ never import routes/, the CLI, the agent link or desks/: app.ts wires them together',
  },
  agentLink: {
    group: ['**/alerting/**', '**/tickets/**', '**/desks/**', '**/routes/**', '**/commands/**', '**/app.js'],
    message: 'the agent link hands each batch on through IngestDeps.observe: it never imports alerting, tickets, desks, routes or the CLI',
  },
  desks: {
    group: ['**/routes/**', '**/commands/**', '**/agent-link/**', '**/app.js'],
    message: 'desks/ delivers ticket events: it never imports routes/, the CLI or the agent link',
  },
};
const collectorLayers = [
  { files: ['collector/src/**/*.ts'], ignores: ['collector/src/store/**'], rules: collectorRule(collectorLayer.storeIndex) },
  { files: ['collector/src/store/**/*.ts'], rules: collectorRule(collectorLayer.store) },
  { files: ['collector/src/influx/**/*.ts'], rules: collectorRule(collectorLayer.storeIndex, collectorLayer.influx) },
  { files: ['collector/src/alerting/**/*.ts', 'collector/src/tickets/**/*.ts'], rules: collectorRule(collectorLayer.storeIndex, collectorLayer.alerting) },
  { files: ['collector/src/agent-link/**/*.ts'], rules: collectorRule(collectorLayer.storeIndex, collectorLayer.agentLink) },
  { files: ['collector/src/desks/**/*.ts'], rules: collectorRule(collectorLayer.storeIndex, collectorLayer.desks) },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', 'proto/generated/', 'coverage/', '.demo/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Prettier (npm run format) lays out the code at this width; this holds comments to it too. Strings, template
      // literals, regular expressions and URLs may run past it: cutting them would hide what they say.
      'max-len': ['error', { code: MAX_LINE, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
  { files: ['agent/**/*.ts'], rules: boundary('collector') },
  ...agentLayers,
  { files: ['collector/**/*.ts'], rules: boundary('agent') },
  ...collectorLayers,
);
