// watchpost-collector av scan --tenant T --host H --by NAME: a Defender quick scan (Start-MpScan -ScanType QuickScan)
// on one connected Windows host; prints the request id. The serving collector sends it; `av actions` shows the result.
import { avRequestCommand } from './av-common.js';

export const avScan = avRequestCommand('quick_scan', "ask a connected host's Microsoft Defender for a quick scan; prints the request id");
