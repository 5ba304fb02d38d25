import { describe, expect, it } from 'vitest';
import { createNetProbe, WINDOWS_NET_SCRIPT } from '../../../../agent/src/probes/net/net.js';
import { ALLOWED_COMMANDS } from '../../../../agent/src/exec/runner.js';
import { Int } from '../../../../agent/src/sample.js';
import { context, fixture, replayRunner } from '../fixtures.js';

describe('net probe', () => {
  it("reports this machine's interfaces without loopback", async () => {
    const drafts = await createNetProbe().collect(context());
    const names = drafts.map((d) => d.tags?.interface);
    expect(names).not.toContain('lo');
    expect(names.length).toBeGreaterThan(0);
    for (const draft of drafts) {
      expect(draft.measurement).toBe('net');
      expect(Object.keys(draft.fields)).toHaveLength(8);
      expect(Object.values(draft.fields).every((v) => v instanceof Int)).toBe(true);
    }
  });

  it('includes loopback when configured to', async () => {
    const drafts = await createNetProbe({ includeLoopback: true }).collect(context());
    expect(drafts.map((d) => d.tags?.interface)).toContain('lo');
  });

  it("asks the agent's PowerShell worker once per collection on Windows, starting no process", async () => {
    const scripts: string[] = [];
    const worker = {
      run: async <T>(script: string) => {
        scripts.push(script);
        return fixture('windows/get-netadapterstatistics-all-properties.txt') as T; // the Format-List text, as the JSON string the worker parses
      },
    };
    const { runner, calls } = replayRunner('');
    const drafts = await createNetProbe({ platform: 'win32' }).collect({ ...context(runner), powershell: worker });
    expect(calls).toEqual([]);
    expect(scripts).toEqual([`${WINDOWS_NET_SCRIPT} | ConvertTo-Json -Compress`]);
    expect((drafts[0]?.fields.packets_recv as Int).value).toBe(5902);
  });

  it('without a worker (collect --once), runs one PowerShell of its own and parses its output', async () => {
    const { runner, calls } = replayRunner(fixture('windows/get-netadapterstatistics-all-properties.txt'));
    const drafts = await createNetProbe({ platform: 'win32' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_NET_SCRIPT] }]);
    expect(ALLOWED_COMMANDS.has('powershell.exe')).toBe(true);
    expect(drafts.map((d) => d.tags)).toEqual([{ interface: 'Ethernet 3' }]);
    expect((drafts[0]?.fields.packets_recv as Int).value).toBe(5902);
  });

  it('runs netstat once on macOS and skips loopback and down interfaces', async () => {
    const { runner, calls } = replayRunner(fixture('darwin/netstat-ibdnW.txt'));
    const drafts = await createNetProbe({ platform: 'darwin' }).collect(context(runner));
    expect(calls).toEqual([{ command: 'netstat', args: ['-ibdnW'] }]);
    expect(ALLOWED_COMMANDS.has('netstat')).toBe(true);
    expect(drafts.map((d) => d.tags?.interface)).toEqual(['en0']);
  });
});
