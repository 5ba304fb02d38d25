// Writes dashboards/*.json from the TypeScript dashboards in dashboards/src (test/dashboards/generated.test.ts
// fails when the committed files differ from what this writes).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from '../dashboards/src/index.js';

export const DASHBOARDS_DIR = 'dashboards';
for (const [file, text] of renderDashboards()) {
  writeFileSync(join(DASHBOARDS_DIR, file), text);
  console.log(`wrote ${join(DASHBOARDS_DIR, file)}`);
}
