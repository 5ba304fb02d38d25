// Which file install copies, and the check that it is an agent executable (a Node single-executable application:
// the fuse postject flips to `:1`), read in chunks with the fuse anywhere, including across a chunk boundary.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSeaFuse, sourceExecutable } from '../../../agent/src/service/executable.js';
import { SEA_FUSE_FLIPPED, tempDir } from './helpers.js';

const dir = tempDir('wp-exe-');
const CHUNK = 1024 * 1024;
const file = (name: string, content: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const at = (offset: number, text: string, size = 3 * CHUNK) => {
  const buffer = Buffer.alloc(size, 0x41);
  buffer.write(text, offset, 'latin1');
  return buffer;
};

describe('hasSeaFuse', () => {
  it.each([
    ['at the start', at(0, SEA_FUSE_FLIPPED), true],
    ['across the first chunk boundary', at(CHUNK - 10, SEA_FUSE_FLIPPED), true],
    ['at the very end', at(3 * CHUNK - SEA_FUSE_FLIPPED.length, SEA_FUSE_FLIPPED), true],
    ['unflipped (Node before postject injected anything)', at(CHUNK - 10, SEA_FUSE_FLIPPED.replace(/:1$/, ':0')), false],
    ['absent', at(0, ''), false],
    ['an empty file', Buffer.alloc(0), false],
  ])('%s: %s', async (name, content, expected) => {
    expect(await hasSeaFuse(file(name, content))).toBe(expected);
  });
});

describe('sourceExecutable', () => {
  it('is the running executable when it is the single executable', async () => {
    expect(await sourceExecutable(undefined, { execPath: '/tmp/x/watchpost-agent', isSea: () => true })).toBe('/tmp/x/watchpost-agent');
  });

  it('is --binary when given, checked even from the single executable', async () => {
    const good = file('good', at(5, SEA_FUSE_FLIPPED, 100));
    expect(await sourceExecutable(good, { execPath: '/x', isSea: () => true })).toBe(good);
    await expect(sourceExecutable(file('bad', at(5, 'x', 100)), { execPath: '/x', isSea: () => true })).rejects.toThrow('not a watchpost-agent executable');
  });
});
