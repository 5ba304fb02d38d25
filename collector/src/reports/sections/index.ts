// The report's sections, in the order they are printed: one map; adding a section is one file and one line here.
// The month against the one before comes first, as the summary; then the tickets, availability, and the minimum
// standards with the patch, antivirus and backup detail behind them.
import type { Section } from '../section.js';
import { availability } from './availability.js';
import { breaches } from './breaches.js';
import { coverage } from './coverage.js';
import { patchCompliance } from './patches.js';
import { sla } from './sla.js';
import { standards } from './standards.js';
import { tickets } from './tickets.js';
import { trend } from './trend.js';

export const SECTIONS: Record<string, Section<unknown>> = {
  trend: trend as Section<unknown>,
  sla: sla as Section<unknown>,
  tickets: tickets as Section<unknown>,
  breaches: breaches as Section<unknown>,
  availability,
  standards: standards as Section<unknown>,
  patches: patchCompliance as Section<unknown>,
  coverage: coverage as Section<unknown>,
};
