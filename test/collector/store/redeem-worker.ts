// Child process for the concurrent-redeem test (run with `node --import tsx`): opens its own connection to the
// store file, reports 'ready', and on 'go' redeems the token once and sends the result back.
import { openStore } from '../../../collector/src/store/index.js';

const [file, token, hostname] = process.argv.slice(2);
if (file === undefined || token === undefined || hostname === undefined) throw new Error('usage: FILE TOKEN HOSTNAME');
const store = openStore(file);
process.once('message', () => {
  const result = store.tokens.redeem(token, { hostname });
  store.close();
  process.send?.(result, () => process.disconnect());
});
process.send?.('ready');
