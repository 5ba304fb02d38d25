// A STAND-IN for `powershell.exe -Command -`, because PowerShell cannot run on the Linux build machine (Debian has no
// powershell package and the npm `pwsh` package downloads it from GitHub at install time). It reads the worker's
// lines from stdin exactly as written (the prelude, then one wrapper line per request, see
// agent/src/powershell-framing.ts), decodes the base64 script and interprets the few statements the worker tests use,
// the way PowerShell would run them, then prints the frame the wrapper would print. What it proves: the worker's
// framing, queueing, timeouts, recycling, crash handling and caps against a real process over real pipes. What it
// cannot prove: that PowerShell 5.1 itself accepts the wrapper line (see the report / framing test).
//
// Statements (separated by "; "), PowerShell semantics:
//   'text'                  output the string (single quotes, '' escapes a quote)
//   'text' * N              output the string repeated N times
//   $PID / $null            output this process id / nothing
//   throw 'message'         terminating error: the wrapper's catch prints {"error":"message"} in an ERR frame
//   Write-Host 'text'       text on stdout at once, outside the frame
//   Write-Error 'text'      a non-terminating error: text on stderr, the script goes on
//   Start-Sleep -Seconds N  waits N seconds
//   [Environment]::Exit(N)  the process exits with code N
// Pipe behaviour flags: --chunk-bytes N writes every frame in N-byte pieces (splitting UTF-8 characters), one
// event-loop turn apart, and with --stderr-noise writes a line to stderr between the pieces.
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
const literal = (text) => {
  const m = /^'((?:[^']|'')*)'$/.exec(text.trim());
  return m ? m[1].replaceAll("''", "'") : undefined;
};

class Terminating extends Error {}

async function write(text) {
  const bytes = Buffer.from(text, 'utf8');
  if (!chunkBytes) return void process.stdout.write(bytes);
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    process.stdout.write(bytes.subarray(i, i + chunkBytes));
    if (stderrNoise) process.stderr.write(`WARNING: noise between chunks ${i}\n`);
    await sleep(0);
  }
}

async function statement(text, output) {
  const repeat = /^('(?:[^']|'')*')\s*\*\s*(\d+)$/.exec(text);
  if (repeat) return void output.push(literal(repeat[1]).repeat(Number(repeat[2])));
  if (literal(text) !== undefined) return void output.push(literal(text));
  if (text === '$PID') return void output.push(String(process.pid));
  if (text === '$null') return;
  let m;
  if ((m = /^throw (.*)$/.exec(text))) throw new Terminating(literal(m[1]));
  if ((m = /^Write-Host (.*)$/.exec(text))) return void process.stdout.write(`${literal(m[1])}\n`);
  if ((m = /^Write-Error (.*)$/.exec(text))) return void process.stderr.write(`Write-Error: ${literal(m[1])}\n`);
  if ((m = /^Start-Sleep -Seconds (\d+)$/.exec(text))) return void (await sleep(Number(m[1]) * 1000));
  if ((m = /^\[Environment\]::Exit\((\d+)\)$/.exec(text))) process.exit(Number(m[1]));
  process.stderr.write(`${text} : The term '${text}' is not recognized as the name of a cmdlet (stand-in)\n`);
}

async function request(script, nonce) {
  const output = [];
  let frame;
  try {
    for (const s of script.split('; ')) await statement(s.trim(), output);
    frame = ['OK', output.join('\n')];
  } catch (error) {
    if (!(error instanceof Terminating)) throw error;
    frame = ['ERR', JSON.stringify({ error: error.message })];
  }
  await write(`\n<<WP:${nonce}:${frame[0]}>>\n${frame[1]}\n<<WP:${nonce}:END>>\n`);
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
