// watchpost-collector av update --tenant T --host H --by NAME: Defender's signature update (Update-MpSignature) on one
// connected Windows host; prints the request id. The serving collector sends it; `av actions` shows the result.
import { avRequestCommand } from './av-common.js';

export const avUpdate = avRequestCommand('signature_update', "ask a connected host's Microsoft Defender for a signature update; prints the request id");
