// The one map of minimum standards: adding one is a file in this folder and a line here. The order is the order
// of the compliance table.
import type { Standard } from '../contract.js';
import { activation } from './activation.js';
import { antivirus, firewallApps } from './antivirus.js';
import { backup } from './backup.js';
import { raid, ups } from './hardware.js';
import { osFloor, osSupported } from './os.js';
import { poweredOnOvernight } from './overnight.js';
import { passwordPolicy } from './password-policy.js';
import { patches } from './patches.js';
import { remoteAccess } from './remote-access.js';

export const STANDARDS: readonly Standard[] = [
  osFloor,
  osSupported,
  patches,
  antivirus,
  backup,
  firewallApps,
  raid,
  ups,
  passwordPolicy,
  remoteAccess,
  activation,
  poweredOnOvernight,
];

export const STANDARD_IDS: readonly string[] = STANDARDS.map((s) => s.id);

/** Every measurement some standard reads: the engine keeps the latest point of each of their series. */
export const READ_MEASUREMENTS: ReadonlySet<string> = new Set(STANDARDS.flatMap((s) => s.reads).concat('inventory'));
