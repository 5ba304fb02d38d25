// Writes the annotated samples of the collector's files from their schemas: the config
// (collector/watchpost-collector.sample.yaml), the desks file and the probe policy beside it.
import { writeFileSync } from 'node:fs';
import { sampleConfig } from '../collector/src/config/sample-config.js';
import { DESKS_SAMPLE_PATH, desksSample } from '../collector/src/desks/desks-sample.js';
import { POLICY_SAMPLE_PATH, policySample } from '../collector/src/agent-link/probe-policy-sample.js';

export const SAMPLE_CONFIG_PATH = 'collector/watchpost-collector.sample.yaml';
const samples: [path: string, text: string][] = [
  [SAMPLE_CONFIG_PATH, sampleConfig()],
  [DESKS_SAMPLE_PATH, desksSample()],
  [POLICY_SAMPLE_PATH, policySample()],
];
for (const [path, text] of samples) {
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}
