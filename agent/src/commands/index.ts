// The agent's commands: one map, one file per command.
import type { Command } from './command.js';
import { enroll } from './enroll.js';
import { run } from './run.js';
import { collect } from './collect.js';
import { status } from './status.js';
import { install } from './install.js';
import { uninstall } from './uninstall.js';

export const commands: Record<string, Command> = { enroll, run, collect, status, install, uninstall };
