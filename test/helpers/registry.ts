// What the registry tests (desk connectors, rule kinds) share: the plugin files of a registry's folder, each of
// which must be registered under its file name.
import { readdirSync } from 'node:fs';

/** The names of the .ts files in folder beside index.ts (the registry), without the extension, sorted. */
export function pluginNames(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}
