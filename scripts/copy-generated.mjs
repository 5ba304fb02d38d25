// tsc emits only TypeScript's output: copy what the compiled code reads at run time beside it in dist/js.
//   - proto/generated: the generated protocol JavaScript (tsc resolves the .d.ts beside it and skips the .js);
//   - collector/data: the shipped end-of-support table the collector loads by default.
import { cpSync } from 'node:fs';

cpSync('proto/generated', 'dist/js/proto/generated', { recursive: true });
cpSync('collector/data', 'dist/js/collector/data', { recursive: true });
