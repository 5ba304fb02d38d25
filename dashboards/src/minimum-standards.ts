// Minimum standards: what MSP contracts require of every endpoint: a supported OS, antivirus on and current,
// patches installed, and no personal firewall apps beside the OS firewall.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { influxql, IN_RANGE, UID, watchpostDashboard } from './common.js';
import { antivirusTable, table } from './panels.js';

const HALF: { w: number; h: number } = { w: 12, h: 9 };

export function minimumStandards(): Dashboard {
  return watchpostDashboard(
    UID.standards,
    'Watchpost: Minimum standards',
    'OS support status, antivirus, patches and personal firewall apps per host.',
    'now-7d',
  )
    .withPanel(
      table(
        'OS support',
        [
          influxql(
            'A',
            `SELECT last("status") AS "status", last("release") AS "release", last("days_left") AS "days_left", last("os_name") AS "os_name", last("os_version") AS "os_version" FROM "os_support" WHERE ${IN_RANGE} GROUP BY "tenant", "host"`,
            'table',
          ),
        ],
        HALF,
      ),
    )
    .withPanel(antivirusTable(HALF))
    .withPanel(
      table(
        'Patches',
        [
          influxql(
            'A',
            `SELECT last("pending_critical") AS "critical", last("pending_security") AS "security", last("reboot_pending") AS "reboot_pending", last("last_success") * 1000 AS "last_success" FROM "patches" WHERE ${IN_RANGE} GROUP BY "tenant", "host"`,
            'table',
          ),
        ],
        HALF,
      ).overrideByName('last_success', [{ id: 'unit', value: 'dateTimeFromNow' }]),
    )
    .withPanel(
      table(
        'Personal firewall apps (third-party firewalls registered with Security Center)',
        [
          influxql(
            'A',
            `SELECT last("state") AS "state", last("enabled") AS "enabled" FROM "firewall_products" WHERE ${IN_RANGE} AND "third_party" = true GROUP BY "tenant", "host", "product"`,
            'table',
          ),
        ],
        HALF,
      ),
    )
    .build();
}
