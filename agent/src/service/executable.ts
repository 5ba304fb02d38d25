// Which file `install` copies: the running executable when it is the agent's single executable, else --binary
// (a run from source under tsx or node, where process.execPath is Node itself). Either must be an agent
// executable: a Node single-executable application, whose fuse postject flipped when it injected the agent.
import { createReadStream, statSync } from 'node:fs';
import { isSea } from 'node:sea';

export class ExecutableError extends Error {}

/** Node's single-executable fuse as postject leaves it (`:1`: a blob was injected). Assembled at run time: this
 *  file is bundled into the executable, and postject refuses a binary that holds the sentinel twice. */
const SEA_FUSE = Buffer.from(`${['NODE', 'SEA', 'FUSE', 'fce680ab2cc467b6e072b8b5df1996b2'].join('_')}:1`, 'latin1');
const READ_CHUNK_BYTES = 1024 * 1024;

/** Whether `file` holds the flipped fuse; read in chunks (an executable is ~100 MB), overlapping by the fuse's length. */
export async function hasSeaFuse(file: string): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(SEA_FUSE)) return true;
    tail = window.subarray(Math.max(0, window.length - SEA_FUSE.length + 1));
  }
  return false;
}

export interface ExecutableSource {
  execPath: string;
  isSea(): boolean;
}

export const processSource: ExecutableSource = { execPath: process.execPath, isSea };

/** The executable to install, or an ExecutableError that says what to pass instead. */
export async function sourceExecutable(binary: string | undefined, source: ExecutableSource = processSource): Promise<string> {
  if (binary === undefined) {
    if (source.isSea()) return source.execPath;
    throw new ExecutableError(
      `install copies the running agent executable, but this is Node (${source.execPath}) running the agent as a script: pass --binary PATH to an agent executable (e.g. dist/bin/watchpost-agent-linux-x64)`,
    );
  }
  let file: ReturnType<typeof statSync>;
  try {
    file = statSync(binary);
  } catch (error) {
    throw new ExecutableError(`--binary ${binary}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!file.isFile()) throw new ExecutableError(`--binary ${binary}: not a file`);
  if (!(await hasSeaFuse(binary))) throw new ExecutableError(`--binary ${binary}: not a watchpost-agent executable (no Node single-executable blob in it)`);
  return binary;
}
