// The service hosts, one per platform: the one map the installer looks a platform up in.
import type { ServicePlatform } from './paths.js';
import type { ServiceHost } from './host.js';
import { systemdHost } from './systemd.js';
import { launchdHost } from './launchd.js';
import { winswHost } from './winsw.js';

export const SERVICE_HOSTS: Record<ServicePlatform, ServiceHost> = { linux: systemdHost, darwin: launchdHost, win32: winswHost };
