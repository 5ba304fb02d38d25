// Writes collector/watchpost-collector.sample.yaml from the config schema.
import { writeFileSync } from 'node:fs';
import { sampleConfig } from '../collector/src/config/sample-config.js';

export const SAMPLE_CONFIG_PATH = 'collector/watchpost-collector.sample.yaml';
writeFileSync(SAMPLE_CONFIG_PATH, sampleConfig());
console.log(`wrote ${SAMPLE_CONFIG_PATH}`);
