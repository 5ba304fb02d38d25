// What a test starts (servers, collectors, proxies) it registers here as it goes; after each test the cleanups run
// in reverse order, each awaited before the next, so a server closes before what it depends on.
import { afterEach } from 'vitest';

export type Cleanup = () => Promise<void> | void;

/** A list the current describe block (or file) pushes cleanups onto; emptied after each test. */
export function cleanupsAfterEach(): Cleanup[] {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}
