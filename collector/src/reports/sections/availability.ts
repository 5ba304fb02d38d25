// Server availability (connected time per month, offline periods) needs a connection history. The collector keeps
// each agent's current connection only (agents.connected_at and last_seen_at, store/agents.ts): this section says
// so instead of guessing availability from the live state.
import type { Section } from '../section.js';

export const availability: Section<never> = {
  title: 'Server availability',
  source: "the collector's agent store (live connection state only)",
  build: () => ({
    state: 'unavailable',
    note: 'Not reported: the collector records whether each agent is connected now, not the history of its connections, so connected time and offline periods for a past month cannot be counted.',
  }),
  template: '',
};
