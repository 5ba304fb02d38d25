// Preloaded into an agent CLI subprocess (NODE_OPTIONS=--import): names under .watchpost-test resolve to
// 127.0.0.1 without asking any resolver, so a test can give the agent a host name that is not "localhost" while
// every packet stays on loopback (this machine must never send test traffic to its other addresses).
import dns from 'node:dns';
import process from 'node:process';

const TEST_SUFFIX = '.watchpost-test';
const original = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof hostname === 'string' && hostname.endsWith(TEST_SUFFIX)) {
    const cb = typeof options === 'function' ? options : callback;
    const all = typeof options === 'object' && options?.all;
    return process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  }
  return original.call(this, hostname, options, callback);
};
