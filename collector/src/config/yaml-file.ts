// Reading a YAML file the collector loads (its config, the probe policy, the lifecycle table, the rollouts): one
// wording for a file that cannot be read, naming the config key that points at it, and one for a file that is not YAML.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';

/** The parsed document of `file` (null or undefined when empty). `key`: the setting that named the file. */
export function readYamlFile(file: string, key?: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${key ? `${key}: cannot read ${file}` : `${file}: cannot read`}: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
}
