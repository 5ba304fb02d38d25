// Builds the real agent executables for all five targets (Node binaries come from .cache/node/, fetched from the
// npm registry on the first run), runs the linux-x64 one, and checks the others structurally: they cannot run here.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../agent/src/version.js';
import { AGENT_EXEC_ARGV, DEFAULT_CACHE_DIR, buildAgent, parseCli, type BuiltExecutable } from '../../scripts/build-agent.js';
import { forbiddenInputs } from '../../scripts/build/bundle.js';
import { cachedNodePath, integrityOf } from '../../scripts/build/node-cache.js';
import * as PE from 'pe-library';
import { asciiOnly, detectFormat, seaFuseState, SEA_MACHO_SEGMENT, SEA_RESOURCE_NAME } from '../../scripts/build/sea.js';
import { hasMachOCodeSignature, peCertificateTable } from '../../scripts/build/signatures.js';
import { readTarEntry } from '../../scripts/build/tar.js';
import { ALL_TARGETS, TARGETS, blobMakerFor } from '../../scripts/build/targets.js';

const execFileAsync = promisify(execFile);

describe('pure helpers', () => {
  it.each([
    ['ELF', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'elf'],
    ['PE', Buffer.from('MZ\x90\x00', 'latin1'), 'pe'],
    ['Mach-O 64 little-endian', Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), 'mach-o'],
    ['universal', Buffer.from([0xca, 0xfe, 0xba, 0xbe]), 'mach-o'],
    ['script', Buffer.from('#!/bin/sh\n'), undefined],
    ['empty', Buffer.alloc(0), undefined],
  ])('detectFormat(%s)', (_name, head, expected) => {
    expect(detectFormat(head)).toBe(expected);
  });

  it.each([
    ['flipped', 'xxNODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1yy', 'flipped'],
    ['unflipped', 'xxNODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:0yy', 'unflipped'],
    ['absent', 'no fuse here', 'absent'],
  ])('seaFuseState(%s)', (_name, text, expected) => {
    expect(seaFuseState(Buffer.from(text, 'latin1'))).toBe(expected);
  });

  it('asciiOnly escapes what is not ASCII, and the script still means the same', () => {
    // The two characters found in the agent's bundle (systemctl's bullet, systeminformation's degree sign), and one
    // beyond U+FFFF, in a regular expression, a string and a template.
    const script = 'r=/^[\u25cf*]\\s*/.exec("\u25cf ssh.service")[0];s="12\u00b0C";t=`\u{1f600}`;u=/\u{1f600}/u.test(t)';
    const escaped = asciiOnly(script);
    expect(escaped).toBe('r=/^[\\u25cf*]\\s*/.exec("\\u25cf ssh.service")[0];s="12\\u00b0C";t=`\\ud83d\\ude00`;u=/\\ud83d\\ude00/u.test(t)');
    expect(/[^\x20-\x7e]/.test(escaped)).toBe(false);
    const run = (code: string) => new Function(`let r,s,t,u;${code};return [r,s,t,u]`)() as unknown[];
    expect(run(escaped)).toEqual(run(script));
    expect(run(script)).toEqual(['\u25cf ', '12\u00b0C', '\u{1f600}', true]);
  });

  it('forbiddenInputs names collector sources and better-sqlite3, nothing else', () => {
    const inputs = [
      'agent/src/cli.ts',
      'proto/index.ts',
      'collector/src/store.ts',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/ws/index.js',
      'agent/src/collector-client.ts',
    ];
    expect(forbiddenInputs(inputs)).toEqual(['collector/src/store.ts', 'node_modules/better-sqlite3/lib/index.js']);
  });

  it.each([
    [[], { targets: [...ALL_TARGETS] }],
    [['--target', 'linux-x64', '--target', 'win-x64'], { targets: ['linux-x64', 'win-x64'] }],
    [['--out-dir', 'o', '--cache-dir', 'c'], { targets: [...ALL_TARGETS], outDir: 'o', cacheDir: 'c' }],
  ])('parseCli(%j)', (argv, options) => {
    expect(parseCli(argv)).toEqual({ options });
  });

  it.each([
    [['--bogus'], '--bogus'],
    [['--target', 'solaris-sparc'], 'solaris-sparc'],
    [['stray'], 'stray'],
  ])('parseCli(%j) is an error naming %s', (argv, named) => {
    const result = parseCli(argv);
    expect('error' in result && result.error).toContain(named);
  });
});

describe('readTarEntry on a tarball made by the system tar', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'watchpost-tar-'));
    await mkdir(join(dir, 'package/bin'), { recursive: true });
    await writeFile(join(dir, 'package/README.md'), 'readme');
    await writeFile(join(dir, 'package/bin/node'), Buffer.alloc(1500, 7));
    // A name past ustar's 100 bytes, so the prefix field or a pax header is exercised.
    await mkdir(join(dir, 'package', 'd'.repeat(90)), { recursive: true });
    await writeFile(join(dir, 'package', 'd'.repeat(90), 'long-file-name.txt'), 'long');
    execFileSync('tar', ['--format=pax', '-cf', 'a.tar', 'package'], { cwd: dir });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds files by full path, including long names, and nothing else', async () => {
    const tar = await readFile(join(dir, 'a.tar'));
    expect(readTarEntry(tar, 'package/bin/node')).toEqual(Buffer.alloc(1500, 7));
    expect(readTarEntry(tar, 'package/README.md')?.toString()).toBe('readme');
    expect(readTarEntry(tar, `package/${'d'.repeat(90)}/long-file-name.txt`)?.toString()).toBe('long');
    expect(readTarEntry(tar, 'package/bin')).toBeUndefined();
    expect(readTarEntry(tar, 'package/missing')).toBeUndefined();
  });

  it('integrityOf matches the sha512 form npm reports', () => {
    const gz = gzipSync(Buffer.from('x'));
    expect(integrityOf(gz)).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });
});

describe('agent executables', () => {
  let outDir = '';
  let built: BuiltExecutable[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'watchpost-agent-bin-'));
    built = await buildAgent({ outDir, log: (line) => lines.push(line) });
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  const builtFor = (target: string): BuiltExecutable => {
    const exe = built.find((b) => b.target === target);
    if (!exe) throw new Error(`${target} not built`);
    return exe;
  };

  it('writes one executable per target, named as documented, and prints a line with its size for each', () => {
    expect(built.map((b) => b.target)).toEqual([...ALL_TARGETS]);
    for (const exe of built) {
      expect(exe.path).toBe(join(outDir, TARGETS[exe.target].fileName));
      expect(lines.some((l) => l.startsWith(exe.target) && l.includes('MiB'))).toBe(true);
    }
    expect(lines.some((l) => l.startsWith('warning: darwin executables are UNSIGNED'))).toBe(true);
  });

  it('linux-x64 runs here and prints the agent version, and the embedded Node is the pinned 24', async () => {
    const exe = builtFor('linux-x64').path;
    const { stdout, stderr } = await execFileAsync(exe, ['--version'], { timeout: 30_000 });
    expect(stdout.trim()).toBe(`watchpost-agent ${AGENT_VERSION}`);
    expect(stderr).toBe(''); // no ExperimentalWarning: disableExperimentalSEAWarning is set
    const verbose = await execFileAsync(exe, ['--version', '--verbose'], { timeout: 30_000 });
    expect(verbose.stdout).toContain(`node ${TARGETS['linux-x64'].node.version}, linux-x64`);
  });

  it('linux-x64 embeds Node 24: the executable is the cached Node 24 binary plus the injected blob', async () => {
    const pin = TARGETS['linux-x64'].node;
    const node = cachedNodePath(DEFAULT_CACHE_DIR, pin);
    const { stdout } = await execFileAsync(node, ['--version']);
    expect(stdout.trim()).toBe(`v${pin.version}`);
    expect(pin.version.split('.')[0]).toBe('24');
    const exe = await readFile(builtFor('linux-x64').path);
    expect(detectFormat(exe)).toBe('elf');
    expect(seaFuseState(exe)).toBe('flipped');
    expect(seaFuseState(await readFile(node))).toBe('unflipped');
    expect(exe.length).toBeGreaterThan((await stat(node)).size);
  });

  it.each(ALL_TARGETS.map((t) => [t]))('%s has its format, the flipped SEA fuse and the blob', async (target) => {
    const spec = TARGETS[target];
    const exe = await readFile(builtFor(target).path);
    expect(detectFormat(exe)).toBe(spec.format);
    expect(seaFuseState(exe)).toBe('flipped');
    expect(builtFor(target).nodeVersion).toBe(spec.node.version);
    expect(spec.node.version.startsWith('24.')).toBe(true);
    expect(blobMakerFor(spec).version).toBe(spec.node.version);
    if (spec.format === 'mach-o') expect(exe.includes(Buffer.from(SEA_MACHO_SEGMENT + '\0'))).toBe(true);
  });

  it('linux-arm64 is an AArch64 ELF and win-x64 an x86-64 PE', async () => {
    const elf = await readFile(builtFor('linux-arm64').path);
    expect(elf.readUInt16LE(18)).toBe(183); // e_machine EM_AARCH64
    const pe = await readFile(builtFor('win-x64').path);
    const peOffset = pe.readUInt32LE(0x3c);
    expect(pe.toString('latin1', peOffset, peOffset + 4)).toBe('PE\0\0');
    expect(pe.readUInt16LE(peOffset + 4)).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
  });

  it('win-x64 is unsigned where official node.exe is Authenticode-signed, so a release signer gets a clean file', async () => {
    const official = await readFile(cachedNodePath(DEFAULT_CACHE_DIR, TARGETS['win-x64'].node));
    expect(peCertificateTable(official).size).toBeGreaterThan(0);
    expect(peCertificateTable(await readFile(builtFor('win-x64').path))).toEqual({ offset: 0, size: 0 });
  });

  // Node 24's win-x64 executable does not start under Wine 8 (it crashes at start), and no Windows runs here: the
  // Windows executable is checked as Windows' loader would read it, with a PE parser, against the official node.exe.
  describe('win-x64 as the Windows loader reads it', () => {
    const parse = (bytes: Buffer) => {
      const exe = PE.NtExecutable.from(bytes, { ignoreCert: true });
      return { exe, resources: PE.NtExecutableResource.from(exe).entries };
    };
    let built: ReturnType<typeof parse>;
    let official: ReturnType<typeof parse>;
    let size: number;
    beforeAll(async () => {
      const bytes = await readFile(builtFor('win-x64').path);
      size = bytes.length;
      built = parse(bytes);
      official = parse(await readFile(cachedNodePath(DEFAULT_CACHE_DIR, TARGETS['win-x64'].node)));
    });

    it('is a 64-bit console executable with the official loader flags (ASLR, high-entropy VA, DEP, terminal-server aware)', () => {
      const header = built.exe.newHeader;
      expect(built.exe.is32bit()).toBe(false);
      expect(header.fileHeader.machine).toBe(0x8664); // IMAGE_FILE_MACHINE_AMD64
      // IMAGE_SUBSYSTEM_WINDOWS_CUI: the service host captures its output, and `status` prints to the console.
      expect(header.optionalHeader.subsystem).toBe(3);
      const flags = header.optionalHeader.dllCharacteristics;
      for (const flag of [0x20, 0x40, 0x100, 0x8000]) expect(flags & flag).toBe(flag);
      expect(flags).toBe(official.exe.newHeader.optionalHeader.dllCharacteristics);
      expect(header.optionalHeader.addressOfEntryPoint).toBe(official.exe.newHeader.optionalHeader.addressOfEntryPoint);
    });

    it("keeps node.exe's sections, .rsrc rebuilt last, each inside the file and the image, in address order", () => {
      const names = (e: PE.NtExecutable) => e.getAllSections().map((s) => s.info.name);
      // postject (LIEF) writes the resource section anew, with the blob, after the others.
      expect(names(built.exe)).toEqual([...names(official.exe).filter((n) => n !== '.rsrc'), '.rsrc']);
      const sections = built.exe.getAllSections().map((s) => s.info);
      let end = 0;
      for (const section of sections) {
        expect(section.pointerToRawData + section.sizeOfRawData).toBeLessThanOrEqual(size);
        expect(section.virtualAddress).toBeGreaterThanOrEqual(end);
        end = section.virtualAddress + section.virtualSize;
      }
      expect(built.exe.newHeader.optionalHeader.sizeOfImage).toBeGreaterThanOrEqual(end);
      // The loader finds resources and base relocations through the data directories: both point into their sections.
      const within = (directory: number, name: string) => {
        const entry = built.exe.newHeader.optionalHeaderDataDirectory.get(directory);
        const section = sections.find((s) => s.name === name)!;
        expect(entry.virtualAddress).toBeGreaterThanOrEqual(section.virtualAddress);
        expect(entry.virtualAddress + entry.size).toBeLessThanOrEqual(section.virtualAddress + section.virtualSize);
      };
      within(PE.Format.ImageDirectoryEntry.Resource, '.rsrc');
      within(PE.Format.ImageDirectoryEntry.BaseRelocation, '.reloc');
    });

    it("carries the SEA blob as the RT_RCDATA resource NODE_SEA_BLOB beside node.exe's own resources", () => {
      const RT_RCDATA = 10;
      const blob = built.resources.find((r) => r.type === RT_RCDATA && r.id === SEA_RESOURCE_NAME);
      expect(blob).toBeDefined();
      const bytes = Buffer.from(blob!.bin);
      expect(bytes.readUInt32LE(0)).toBe(0x0143da20); // the SEA blob's magic (node_sea.h kMagic)
      const script = bytes.toString('latin1');
      expect(script).toContain('__watchpost_import_meta_url');
      expect(script).toContain(JSON.stringify(AGENT_VERSION));
      // Icons, version information and the manifest (long paths, supported OS) are Node's, unchanged.
      const key = (r: PE.Type.ResourceEntry) => `${r.type}/${String(r.id)}/${r.lang}/${Buffer.from(r.bin).toString('base64')}`;
      expect(built.resources.filter((r) => r !== blob).map(key)).toEqual(official.resources.map(key));
    });
  });

  it.each([['darwin-x64'], ['darwin-arm64']])('%s carries no stale Node signature (codesign --sign - suffices)', async (target) => {
    const official = await readFile(cachedNodePath(DEFAULT_CACHE_DIR, TARGETS[target as 'darwin-x64'].node));
    expect(hasMachOCodeSignature(official)).toBe(true);
    expect(hasMachOCodeSignature(await readFile(builtFor(target).path))).toBe(false);
  });
});

describe('the Node options baked into the executables (SEA execArgv)', () => {
  let outDir = '';
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'watchpost-exec-argv-'));
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('a linux-x64 executable starts with AGENT_EXEC_ARGV in force: process.execArgv, and one V8 platform thread', async () => {
    const entry = join(outDir, 'entry.ts');
    await writeFile(
      entry,
      `import { readFileSync, readdirSync } from 'node:fs';
const threads = readdirSync('/proc/self/task').map((t) => readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim());
process.stdout.write(JSON.stringify({ execArgv: process.execArgv, v8Workers: threads.filter((n) => n === 'V8Worker').length }));\n`,
    );
    const [built] = await buildAgent({ targets: ['linux-x64'], outDir, entry, log: () => undefined });
    const { stdout } = await execFileAsync(built!.path, [], { timeout: 30_000, env: { PATH: process.env.PATH } });
    expect(JSON.parse(stdout)).toEqual({ execArgv: [...AGENT_EXEC_ARGV], v8Workers: 1 });
    expect(AGENT_EXEC_ARGV).toContain('--v8-pool-size=1'); // what the thread count shows
  }, 120_000);
});
