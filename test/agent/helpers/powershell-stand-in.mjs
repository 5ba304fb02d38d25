// A STAND-IN for `powershell.exe -Command -` that controls how its answer crosses the pipe, which a real engine does
// not let a test decide: it writes each frame in pieces of N bytes (splitting UTF-8 characters and the markers), one
// event-loop turn apart, optionally with a stderr line before each piece. Everything else about the worker runs
// against a real PowerShell engine (pwsh 7, test/agent/exec/powershell-worker-pwsh.test.ts).
// It reads the worker's lines from stdin as written (the prelude, then one wrapper line per request, see
// agent/src/exec/powershell-framing.ts), decodes the base64 script, runs the few statements below the way PowerShell
// would, and prints the OK frame the wrapper would print.
//
// Statements (separated by "; "), PowerShell semantics:
//   'text'                  output the string (single quotes, '' escapes a quote)
//   $PID                    output this process id
//   Start-Sleep -Seconds N  waits N seconds
// Flags: --chunk-bytes N writes every frame in N-byte pieces; --stderr-noise writes a stderr line before each piece.
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import process from 'node:process';
import { Buffer } from 'node:buffer';

const argv = process.argv.slice(2);
const flag = (name) => argv.indexOf(name);
const chunkBytes = flag('--chunk-bytes') >= 0 ? Number(argv[flag('--chunk-bytes') + 1]) : 0;
const stderrNoise = flag('--stderr-noise') >= 0;

const WRAPPER = /FromBase64String\('([A-Za-z0-9+/=]*)'\).*\('<<WP:' \+ '([0-9a-f]+):OK>>'\)/;
const PRELUDE = /^\$ProgressPreference = 'SilentlyContinue'; /;

async function write(text) {
  const bytes = Buffer.from(text, 'utf8');
  if (!chunkBytes) return void process.stdout.write(bytes);
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    // stderr first: every line is in its pipe before the piece that completes the frame, which may get the process killed
    if (stderrNoise) process.stderr.write(`WARNING: noise before piece ${i}\n`);
    process.stdout.write(bytes.subarray(i, i + chunkBytes));
    await sleep(0);
  }
}

async function statement(text, output) {
  const literal = /^'((?:[^']|'')*)'$/.exec(text);
  if (literal) return void output.push(literal[1].replaceAll("''", "'"));
  if (text === '$PID') return void output.push(String(process.pid));
  const sleepFor = /^Start-Sleep -Seconds (\d+)$/.exec(text);
  if (sleepFor) return void (await sleep(Number(sleepFor[1]) * 1000));
  throw new Error(`stand-in: unsupported statement ${text}`);
}

async function request(script, nonce) {
  const output = [];
  for (const s of script.split('; ')) await statement(s.trim(), output);
  await write(`\n<<WP:${nonce}:OK>>\n${output.join('\n')}\n<<WP:${nonce}:END>>\n`);
}

// Lines run one after another, as PowerShell runs stdin commands.
const lines = createInterface({ input: process.stdin });
let chain = Promise.resolve();
lines.on('line', (line) => {
  chain = chain.then(async () => {
    if (PRELUDE.test(line)) return;
    const m = WRAPPER.exec(line);
    if (!m) return void process.stderr.write(`stand-in: not a worker line: ${line.slice(0, 80)}\n`);
    await request(Buffer.from(m[1], 'base64').toString('utf8'), m[2]);
  });
});
lines.on('close', () => void chain.then(() => process.exit(0)));
