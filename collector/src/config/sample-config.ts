// The annotated sample config, generated from the schema so it can never drift from what `serve` accepts.
import type { TObject, TSchema } from '@sinclair/typebox';
import { ConfigSchema, envName } from './config.js';

const HEADER = `# watchpost-collector configuration (generated from the schema by \`npm run gen\`; do not edit by hand).
# Every key can be overridden by the environment variable named beside it. Values shown are the defaults.
`;

const yamlValue = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

function render(schema: TObject, prefix: string, indent: string): string[] {
  return Object.entries(schema.properties).flatMap(([key, child]: [string, TSchema]) => {
    const path = prefix + key;
    if (child.type === 'object') return ['', `${indent}${key}:`, ...render(child as TObject, path + '.', indent + '  ')];
    return [`${indent}# ${child.description ?? ''} (${envName(path)})`, `${indent}${key}: ${yamlValue(child.default)}`];
  });
}

export function sampleConfig(): string {
  return HEADER + render(ConfigSchema, '', '').join('\n') + '\n';
}
