// Exit codes of `watchpost-agent run` that mean something to the service host.

/**
 * "Start me again": after a self-update swapped the executable, a rollback, or a watchdog trip. 75 is EX_TEMPFAIL
 * of sysexits.h (a temporary failure, try again). The service hosts restart on it: systemd `Restart=always`,
 * launchd `KeepAlive`, WinSW `<onfailure action="restart">` (any non-zero exit is a failure to WinSW).
 */
export const EXIT_RESTART = 75;
