// The one registry of dashboards: the key is the file name under dashboards/ (`<key>.json`). Adding a dashboard is
// one file in this folder plus one line here.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { numberPanels } from './common.js';
import { eventLogs } from './event-logs.js';
import { fleetOverview } from './fleet-overview.js';
import { hostDetail } from './host-detail.js';
import { minimumStandards } from './minimum-standards.js';
import { patchCompliance } from './patch-compliance.js';
import { ticketsSla } from './tickets-sla.js';

export const DASHBOARDS: Record<string, () => Dashboard> = {
  'fleet-overview': fleetOverview,
  'host-detail': hostDetail,
  'patch-compliance': patchCompliance,
  'event-logs': eventLogs,
  'tickets-sla': ticketsSla,
  'minimum-standards': minimumStandards,
};

/** The JSON text of every dashboard, keyed by file name (`fleet-overview.json`), exactly as committed. */
export function renderDashboards(): Map<string, string> {
  return new Map(Object.entries(DASHBOARDS).map(([key, build]) => [`${key}.json`, `${JSON.stringify(numberPanels(build()), null, 2)}\n`]));
}
