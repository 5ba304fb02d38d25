// The measurement schema as data: every measurement the agent writes, with each field's InfluxDB type, and the
// measurements only the collector writes. InfluxDB fixes a field's type per measurement and shard (a UTC day that
// every tenant shares), so the first point of a day decides for all: the collector refuses an agent's sample whose
// field has another type than listed here before it can decide that for everyone.
//
// Kept honest by test/collector/agent-link/admission/agent-catalogue.test.ts, which runs the agent's probes on the
// test machine and its parsers on the captured Windows and macOS output in test/fixtures: a field the agent writes
// and this file does not list (or lists with another type) fails that test. Adding a field to a probe = one word here
// and one row in the reference beside the code (the probe's README.md): reference-catalogue.test.ts compares them.

/** InfluxDB 1.x field types, as `SHOW FIELD KEYS` names them. */
export type FieldType = 'float' | 'integer' | 'string' | 'boolean';

/** Field name -> type, written as lists by type. */
export type FieldTypes = Partial<Record<FieldType, readonly string[]>>;

/** Measurements whose names start with this are the agents' own namespace: a measurement Watchpost does not know
 *  (an MSP's script, a probe newer than this collector) is accepted only there, its field types pinned at first
 *  sight (measurement-schema.ts). Everything else outside the catalogue is refused. */
export const CUSTOM_PREFIX = 'custom_';

const MEM_LINUX = [
  'buffered',
  'cached',
  'active',
  'inactive',
  'write_back',
  'write_back_tmp',
  'dirty',
  'shared',
  'slab',
  'sreclaimable',
  'sunreclaim',
  'page_tables',
  'swap_cached',
  'commit_limit',
  'committed_as',
  'high_total',
  'high_free',
  'low_total',
  'low_free',
  'swap_total',
  'swap_free',
  'mapped',
  'vmalloc_total',
  'vmalloc_used',
  'vmalloc_chunk',
  'huge_pages_total',
  'huge_pages_free',
  'huge_page_size',
];

/** What the agent writes (docs/measurements.md), by measurement; the comment names the agent code that writes it. */
export const AGENT_MEASUREMENTS: Readonly<Record<string, FieldTypes>> = {
  // probes/cpu/cpu.ts (probes/common/proc-stat.ts)
  cpu: {
    float: [
      'usage_user',
      'usage_system',
      'usage_idle',
      'usage_nice',
      'usage_iowait',
      'usage_irq',
      'usage_softirq',
      'usage_steal',
      'usage_guest',
      'usage_guest_nice',
    ],
  },
  // probes/mem/mem.ts (meminfo.ts on Linux, vm-stat.ts on macOS adds wired)
  mem: { integer: ['total', 'available', 'used', 'free', 'wired', ...MEM_LINUX], float: ['used_percent', 'available_percent'] },
  // probes/disk/disk.ts (mounts.ts)
  disk: { integer: ['total', 'free', 'used', 'inodes_total', 'inodes_free', 'inodes_used'], float: ['used_percent', 'inodes_used_percent'] },
  // probes/diskio/diskio.ts (diskstats.ts, perfdisk.ts, ioreg.ts)
  diskio: {
    integer: [
      'reads',
      'writes',
      'read_bytes',
      'write_bytes',
      'read_time',
      'write_time',
      'io_time',
      'weighted_io_time',
      'iops_in_progress',
      'merged_reads',
      'merged_writes',
    ],
  },
  // probes/swap/swap.ts (swap-sources.ts)
  swap: { integer: ['total', 'used', 'free', 'in', 'out'], float: ['used_percent'] },
  // probes/system/system.ts
  system: { float: ['load1', 'load5', 'load15'], integer: ['n_cpus', 'n_users', 'n_unique_users', 'uptime', 'boot_time'], string: ['uptime_format'] },
  // probes/processes/processes.ts (process-states.ts)
  processes: {
    integer: ['blocked', 'zombies', 'stopped', 'running', 'sleeping', 'total', 'unknown', 'dead', 'paging', 'total_threads', 'idle', 'parked'],
  },
  // probes/kernel/kernel.ts (kernel-counters.ts, probes/common/proc-stat.ts)
  kernel: { integer: ['boot_time', 'context_switches', 'interrupts', 'processes_forked', 'entropy_avail', 'disk_pages_in', 'disk_pages_out'] },
  // probes/netstat/netstat.ts (socket-states.ts)
  netstat: {
    integer: [
      'tcp_established',
      'tcp_syn_sent',
      'tcp_syn_recv',
      'tcp_fin_wait1',
      'tcp_fin_wait2',
      'tcp_time_wait',
      'tcp_close',
      'tcp_close_wait',
      'tcp_last_ack',
      'tcp_listen',
      'tcp_closing',
      'tcp_none',
      'udp_socket',
    ],
  },
  // probes/net/net.ts (net-counters.ts)
  net: { integer: ['bytes_sent', 'bytes_recv', 'packets_sent', 'packets_recv', 'err_in', 'err_out', 'drop_in', 'drop_out'] },
  // probes/inventory/inventory.ts (os-identity.ts)
  inventory: {
    string: [
      'hostname',
      'os_name',
      'os_version',
      'os_build',
      'kernel',
      'arch',
      'cpu_model',
      'manufacturer',
      'model',
      'serial',
      'ip_addresses',
      'mac_addresses',
      'agent_version',
      'os_family',
      'os_id',
      'os_version_id',
      'os_codename',
      'os_edition',
      'os_display_version',
      'os_product_type',
    ],
    integer: ['cpu_cores', 'cpu_threads', 'memory_total_bytes', 'os_ubr'],
  },
  // probes/services/services.ts
  services: {
    integer: ['auto_not_running', 'trigger_start_skipped', 'failed_units', 'exit_code'],
    string: ['display_name', 'state', 'sub'],
    boolean: ['delayed'],
  },
  // probes/shutdowns/shutdowns.ts
  shutdowns: { string: ['message', 'cause_text'], integer: ['event_id', 'record_id', 'boot_time', 'cause'] },
  // probes/patches/ (patch-report.ts)
  patches: {
    integer: ['pending_total', 'pending_security', 'pending_critical', 'parse_errors', 'last_success', 'last_search', 'pending_restart_required'],
    boolean: ['reboot_pending', 'pending_file_rename'],
  },
  patches_pending: { string: ['title', 'kb', 'update_id', 'severity', 'category', 'package', 'version'], boolean: ['security', 'critical'] },
  // probes/eventlog/eventlog.ts (journald adds priority and unit, the unified log process and pid)
  eventlog: { string: ['message', 'unit', 'process'], integer: ['event_id', 'record_id', 'priority', 'pid'] },
  eventlog_counts: { integer: ['count'] },
  eventlog_gaps: { string: ['detail'], integer: ['lost'] },
  // probes/antivirus/antivirus.ts (security-center.ts, defender-status.ts)
  antivirus: {
    string: ['state', 'source', 'signature_version'],
    boolean: ['enabled', 'realtime', 'up_to_date', 'healthy'],
    float: ['signature_age_days'],
    integer: ['signature_updated', 'reported_at', 'parse_errors'],
  },
  firewall_products: { string: ['state'], boolean: ['enabled', 'third_party'], integer: ['parse_errors'] },
  // probes/raid/raid.ts (raid-array.ts); the summary point has status, arrays, redundant/unhealthy/unknown_arrays, reason
  raid: {
    string: ['state', 'level', 'os_state', 'sync_action', 'driver', 'model', 'detail', 'status', 'reason'],
    boolean: ['healthy', 'redundant'],
    integer: ['members', 'active_members', 'failed_members', 'spare_members', 'arrays', 'redundant_arrays', 'unhealthy_arrays', 'unknown_arrays'],
    float: ['sync_percent'],
  },
  // probes/ups/ups.ts (ups-reading.ts); the summary point has status, seen, reason
  ups: {
    string: ['state', 'os_status', 'model', 'detail', 'status', 'reason'],
    boolean: ['on_battery', 'low_battery', 'replace_battery'],
    float: ['charge_percent', 'load_percent'],
    integer: ['runtime_seconds', 'seen'],
  },
  // probes/backup/backup.ts (windows-backup.ts, time-machine.ts); the summary point has products, detectable, read_errors
  backup: {
    string: ['detected_by', 'last_result', 'message', 'service_state', 'version', 'display_name'],
    integer: ['last_success', 'last_attempt', 'destinations', 'products', 'read_errors'],
    boolean: ['running', 'detectable'],
  },
  // probes/password_policy/password_policy.ts (policy.ts: secedit-inf.ts, linux-pam.ts, pwpolicy-plist.ts)
  password_policy: {
    string: ['source', 'domain'],
    integer: [
      'min_length',
      'min_classes',
      'max_age_days',
      'min_age_days',
      'history',
      'lockout_threshold',
      'lockout_duration_seconds',
      'lockout_window_seconds',
    ],
    boolean: ['complexity', 'domain_joined'],
  },
  // probes/remote_access/remote_access.ts (windows.ts, remote-service.ts, sshd-config.ts, listeners.ts)
  remote_access: { boolean: ['installed', 'enabled', 'listening', 'standard_port'], integer: ['port'], string: ['ports', 'source'] },
  // probes/activation/activation.ts (license-status.ts)
  activation: { string: ['status', 'channel', 'status_reason'], integer: ['license_status', 'grace_remaining_minutes'], boolean: ['licensed', 'addon'] },
  // status/report.ts (selfSample)
  agent: {
    boolean: ['connected', 'spool_on_disk'],
    integer: [
      'spool_batches',
      'spool_bytes',
      'points_produced',
      'points_acked',
      'points_dropped',
      'points_dropped_full',
      'points_dropped_disk_full',
      'points_dropped_io_error',
      'points_dropped_corrupt',
      'points_rejected',
      'rss_bytes',
      'uptime_seconds',
    ],
    float: ['cpu_user_seconds', 'cpu_system_seconds'],
  },
  // scheduler/scheduler.ts
  agent_probe: { integer: ['runs', 'errors', 'timeouts', 'skipped_overlap', 'samples'], float: ['last_duration_ms'] },
  agent_probe_error: { string: ['message'] },
  // watchdog/report.ts
  agent_watchdog: { integer: ['rss_bytes'], string: ['detail', 'message'] },
  // update/report.ts
  agent_update: { string: ['from', 'to', 'reason'] },
  // patching/report.ts: one patch run of a plan, and one point per item of it
  patch_run: {
    string: ['plan_id', 'reboot_detail', 'refused'],
    integer: ['window_start', 'window_end', 'approved', 'installed', 'failed', 'not_applicable', 'not_started'],
    boolean: ['reboot_required', 'rebooted'],
    float: ['duration_seconds'],
  },
  patch_result: { string: ['plan_id', 'id', 'title', 'detail'], integer: ['code'], boolean: ['reboot_required'], float: ['duration_seconds'] },
  // patching/windows/defender.ts: a Defender signature update or quick scan
  av_action: {
    string: ['outcome', 'detail', 'signature_version', 'request_id'],
    integer: ['code', 'duration_ms', 'signature_updated', 'quick_scan_end', 'quick_scan_age_days'],
  },
};

/** Written by the collector alone: alert and ticket history (alerting/influx-outbox-feed.ts), the ticket gauge
 *  (tickets/gauge.ts), the month's SLA attainment (tickets/sla-month.ts), OS support derived from inventory
 *  (os-support/os-support.ts) and the agents' refusals (refusals.ts). An agent's point in one of them would be a
 *  forged alert, ticket or support status. */
export const COLLECTOR_MEASUREMENTS: ReadonlySet<string> = new Set([
  'alerts',
  'tickets',
  'tickets_open',
  'os_support',
  'rejections',
  'compliance',
  'sla_month',
  'patch_status',
]);
