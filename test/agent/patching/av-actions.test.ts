// The agent's antivirus actions (patching/av-actions.ts): one at a time, each answered by an av_action point with the
// collector's request id; other platforms answer failed at once. The Defender script itself runs under pwsh in
// windows/defender-pwsh.test.ts; here the runner is a stand-in that finishes when the test says.
import { describe, expect, it } from 'vitest';
import { createAvActions, NOT_AVAILABLE } from '../../../agent/src/patching/av-actions.js';
import type { DefenderAction, DefenderActionResult } from '../../../agent/src/patching/windows/defender.js';
import type { SampleDraft } from '../../../agent/src/sample.js';
import { Int } from '../../../agent/src/sample.js';
import { recordingLogger } from '../helpers/recording-log.js';

const noRunner = () => Promise.reject(new Error('no process may start here'));

describe('antivirus actions on the agent', () => {
  it('on Linux: answered at once, failed, not available on this platform, with the request id', () => {
    const reported: SampleDraft[] = [];
    const av = createAvActions({ runner: noRunner, log: recordingLogger(), report: (s) => void reported.push(...s), platform: 'linux', now: () => 5_000 });
    av.receive({ requestId: 'av-1', action: 'quick_scan' });
    av.receive({ requestId: 'av-2', action: 'format_disk' });
    expect(reported).toEqual([
      {
        measurement: 'av_action',
        tags: { action: 'quick_scan', product: 'Microsoft Defender Antivirus' },
        fields: { outcome: 'failed', duration_ms: new Int(0), detail: NOT_AVAILABLE, request_id: 'av-1' },
        time: 5_000,
      },
    ]);
  });

  it('on Windows: one at a time in arrival order, a repeated request id not queued twice', async () => {
    const reported: SampleDraft[] = [];
    const started: DefenderAction[] = [];
    const finish: (() => void)[] = [];
    const run = (action: DefenderAction) =>
      new Promise<DefenderActionResult>((resolve) => {
        started.push(action);
        finish.push(() => resolve({ action, outcome: 'succeeded', durationMs: 10, signatureVersion: '1.417.0.0' }));
      });
    const av = createAvActions({ runner: noRunner, log: recordingLogger(), report: (s) => void reported.push(...s), platform: 'win32', run });
    av.receive({ requestId: 'av-1', action: 'signature_update' });
    av.receive({ requestId: 'av-2', action: 'quick_scan' });
    av.receive({ requestId: 'av-2', action: 'quick_scan' });
    expect(started).toEqual(['signature_update']);
    finish[0]!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['signature_update', 'quick_scan']);
    finish[1]!();
    await new Promise((r) => setImmediate(r));
    expect(reported.map((s) => [s.tags?.action, s.fields.request_id, s.fields.outcome])).toEqual([
      ['signature_update', 'av-1', 'succeeded'],
      ['quick_scan', 'av-2', 'succeeded'],
    ]);
    await av.stop();
  });
});
