// Writes docs/measurements.md and the README's index of measurements from the references beside the code
// (scripts/lib/measurement-reference.ts says where they are and their format).
import { readFileSync, writeFileSync } from 'node:fs';
import { probes } from '../agent/src/probes/index.js';
import { DOC_PATH, loadReferences, README_PATH, renderMeasurementsDoc, withReadmeIndex } from './lib/measurement-reference.js';

const references = loadReferences(Object.keys(probes));
writeFileSync(DOC_PATH, renderMeasurementsDoc(references));
// The README is shared with hand edits: it is rewritten only when its index changed.
const readme = readFileSync(README_PATH, 'utf8');
const updated = withReadmeIndex(readme, references);
if (updated !== readme) writeFileSync(README_PATH, updated);
console.log(`wrote ${DOC_PATH} and the index in ${README_PATH} (${references.flatMap((r) => r.measurements).length} measurements)`);
