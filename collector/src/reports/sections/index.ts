// The report's sections, in the order they are printed: one map; adding a section is one file and one line here.
import type { Section } from '../section.js';
import { availability } from './availability.js';
import { breaches } from './breaches.js';
import { sla } from './sla.js';
import { tickets } from './tickets.js';

export const SECTIONS: Record<string, Section<unknown>> = {
  sla: sla as Section<unknown>,
  tickets: tickets as Section<unknown>,
  breaches: breaches as Section<unknown>,
  availability,
};
