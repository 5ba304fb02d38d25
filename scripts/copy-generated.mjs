// tsc does not emit the generated protocol JavaScript (it resolves the .d.ts beside it); copy it into dist/js.
import { cpSync } from 'node:fs';

cpSync('proto/generated', 'dist/js/proto/generated', { recursive: true });
