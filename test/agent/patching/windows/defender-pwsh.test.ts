// Defender's two actions with their scripts unchanged on pwsh (pwsh-process-runner.ts): Update-MpSignature and
// Start-MpScan stubbed as functions that record how they were called, Get-MpComputerStatus rebuilt as the CIM instance
// MSFT_MpComputerStatus from the real Format-List captures the antivirus probe's tests use (booleans, uint32 ages,
// local [datetime] dates; test/fixtures/windows/get-mpcomputerstatus-*.txt). The failing signature update's message
// and HRESULT are chosen (no capture of a failing Update-MpSignature was found; see the fixtures README).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { avActionSample, defenderScript, runDefenderAction, validateDefenderAction } from '../../../../agent/src/patching/windows/defender.js';
import { int } from '../../../../agent/src/sample.js';
import { psString } from '../../../helpers/pwsh-stubs.js';
import { fixture } from '../../probes/fixtures.js';
import { capturedObject, formatListRecords, writeCimError, type CapturedType } from '../../probes/windows-stubs.js';
import { pwshProcessRunner } from './pwsh-process-runner.js';

/** MSFT_MpComputerStatus property types (its MOF), as the antivirus probe's test types them. */
const mpType = (name: string, text: string): CapturedType =>
  /^(True|False)$/.test(text) ? 'bool' : /(Time|Updated|Expiration)$/.test(name) ? 'datetime' : /^\d+$/.test(text) ? 'uint32' : 'string';
const status = (capture: string) => capturedObject(formatListRecords(fixture(`windows/${capture}`))[0]!, mpType);

function defenderStubs(dir: string, capture: string, signatureError?: string): string {
  return `
$wpTrace = ${psString(join(dir, 'trace.txt'))}
function Get-MpComputerStatus { [CmdletBinding()] param() ${status(capture)} }
function Update-MpSignature {
  [CmdletBinding()] param([string]$UpdateSource)
  Add-Content -LiteralPath $wpTrace -Value ('Update-MpSignature ' + $PSBoundParameters.Count)
  ${signatureError === undefined ? '' : writeCimError(signatureError, 'HRESULT 0x8024402c,Update-MpSignature', 'NotSpecified')}
}
function Start-MpScan {
  [CmdletBinding()] param([string]$ScanType, [string]$ScanPath)
  Add-Content -LiteralPath $wpTrace -Value ('Start-MpScan ' + $ScanType + ' ' + $PSBoundParameters.Count)
  Write-Progress -Activity 'Scanning' -PercentComplete 50
}
`;
}

const ctx = () => ({ signal: new AbortController().signal, deadline: Date.now() + 3_600_000, now: () => Date.now() });
/** A captured local wall time in Europe/Zurich (where the runner's pwsh runs) as unix seconds. */
const zurich = (isoWithOffset: string) => Date.parse(isoWithOffset) / 1000;

describe('Defender actions on pwsh with the Defender cmdlets stubbed from real Get-MpComputerStatus captures', () => {
  it('a quick scan runs Start-MpScan -ScanType QuickScan only, and reports the status it leaves (Server 2025 capture)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-mp-'));
    const { runner, calls } = pwshProcessRunner(defenderStubs(dir, 'get-mpcomputerstatus-server2025-stale-278d.txt'));
    const result = await runDefenderAction(runner, 'quick_scan', ctx());
    expect(calls).toHaveLength(1);
    expect(calls[0]?.script).toBe(defenderScript('quick_scan'));
    expect(calls[0]?.stderr).toBe('');
    expect(calls[0]?.timeoutMs).toBeLessThanOrEqual(3_600_000);
    expect(readFileSync(join(dir, 'trace.txt'), 'utf8').trim()).toBe('Start-MpScan QuickScan 1');
    const { durationMs, ...rest } = result;
    expect(durationMs).toBeGreaterThan(0);
    expect(rest).toEqual({
      action: 'quick_scan',
      outcome: 'succeeded',
      signatureVersion: '1.409.717.0',
      signatureUpdated: zurich('2024-05-06T01:09:46+02:00'),
      quickScanEnd: zurich('2024-05-06T06:03:03+02:00'),
      quickScanAgeDays: 278,
    });
    expect(avActionSample(result, 1_700_000_000_000)).toEqual({
      measurement: 'av_action',
      tags: { action: 'quick_scan', product: 'Microsoft Defender Antivirus' },
      fields: {
        outcome: 'succeeded',
        duration_ms: int(durationMs),
        signature_version: '1.409.717.0',
        signature_updated: int(zurich('2024-05-06T01:09:46+02:00')),
        quick_scan_end: int(zurich('2024-05-06T06:03:03+02:00')),
        quick_scan_age_days: int(278),
      },
      time: 1_700_000_000_000,
    });
  });

  it('a failed signature update is failed with its HRESULT, and still reports the signatures the machine has (documented sample)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-mp-'));
    const message = 'Virus and spyware definitions update was completed with errors. HRESULT 0x8024402c';
    const { runner, calls } = pwshProcessRunner(defenderStubs(dir, 'get-mpcomputerstatus-docs.txt', message));
    const result = await runDefenderAction(runner, 'signature_update', ctx());
    expect(calls[0]?.script).toBe(defenderScript('signature_update'));
    expect(readFileSync(join(dir, 'trace.txt'), 'utf8').trim()).toBe('Update-MpSignature 0'); // no parameter at all
    expect(result).toMatchObject({
      action: 'signature_update',
      outcome: 'failed',
      code: 0x8024402c,
      detail: message,
      signatureVersion: '1.155.1107.0',
      signatureUpdated: zurich('2013-07-30T03:01:45+02:00'),
      quickScanEnd: zurich('2013-07-30T13:50:24+02:00'),
      quickScanAgeDays: 0,
    });
    expect(avActionSample(result, 1).fields).toMatchObject({ outcome: 'failed', code: int(0x8024402c), detail: message });
  });

  it('only the two action names are accepted', () => {
    expect(validateDefenderAction('quick_scan')).toBe('quick_scan');
    expect(validateDefenderAction('signature_update')).toBe('signature_update');
    for (const bad of ['full_scan', 'quick_scan; Remove-Item C:\\', 'Start-MpScan', '', null, 1])
      expect(() => validateDefenderAction(bad)).toThrow(/expected signature_update or quick_scan/);
  });
});
