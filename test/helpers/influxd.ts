// Tests start real influxd servers with the same module `npm run demo` uses.
export * from '../../scripts/lib/influxd.js';
