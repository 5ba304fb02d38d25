// The agent's version, reported in Hello, `inventory` and by `--version`. A release build defines the global
// below (`scripts/build-agent.ts --version X`, an esbuild `define`); tsx runs and builds without --version keep the
// default. The `typeof` guard is what keeps an undefined global legal.
declare const __WATCHPOST_VERSION__: string | undefined;

const SOURCE_VERSION = '0.1.0';

export const AGENT_VERSION: string = typeof __WATCHPOST_VERSION__ === 'string' && __WATCHPOST_VERSION__ ? __WATCHPOST_VERSION__ : SOURCE_VERSION;
