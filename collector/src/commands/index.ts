// The collector's commands: one map, one file per command.
import type { Command } from './command.js';
import { serve } from './serve.js';
import { tenantAdd } from './tenant-add.js';
import { tenantList } from './tenant-list.js';
import { tenantShow } from './tenant-show.js';
import { tenantRemove } from './tenant-remove.js';
import { tokenCreate } from './token-create.js';
import { tokenList } from './token-list.js';
import { tokenRevoke } from './token-revoke.js';
import { agents } from './agents.js';
import { agentRevoke } from './agent-revoke.js';
import { agentRename } from './agent-rename.js';
import { apiKeyCreate } from './api-key-create.js';
import { apiKeyList } from './api-key-list.js';
import { apiKeyRevoke } from './api-key-revoke.js';
import { tickets } from './tickets.js';
import { ticketAck } from './ticket-ack.js';
import { ticketPlan } from './ticket-plan.js';
import { ticketNote } from './ticket-note.js';
import { ticketResolve } from './ticket-resolve.js';
import { ticketReopen } from './ticket-reopen.js';
import { ticketPriority } from './ticket-priority.js';
import { maintenanceAdd } from './maintenance-add.js';
import { maintenanceList } from './maintenance-list.js';
import { maintenanceDelete } from './maintenance-delete.js';
import { silenceAdd } from './silence-add.js';
import { silenceList } from './silence-list.js';
import { silenceExpire } from './silence-expire.js';
import { deploy } from './deploy.js';
import { desksTest } from './desks-test.js';
import { rulesShow } from './rules-show.js';
import { compliance } from './compliance.js';
import { complianceWaive } from './compliance-waive.js';
import { complianceWaivers } from './compliance-waivers.js';
import { complianceUnwaive } from './compliance-unwaive.js';
import { patchesList } from './patches-list.js';
import { patchesApprove, patchesDecline } from './patches-decide.js';
import { report } from './report.js';
import { reportSend } from './report-send.js';
import { reportDeliveries } from './report-deliveries.js';
import { avUpdate } from './av-update.js';
import { avScan } from './av-scan.js';
import { avActions } from './av-actions.js';
import { storeMigrate } from './store-migrate.js';

export const commands: Record<string, Command> = {
  serve,
  'store migrate': storeMigrate,
  'tenant add': tenantAdd,
  'tenant list': tenantList,
  'tenant show': tenantShow,
  'tenant remove': tenantRemove,
  'token create': tokenCreate,
  'token list': tokenList,
  'token revoke': tokenRevoke,
  agents,
  'agent revoke': agentRevoke,
  'agent rename': agentRename,
  'api-key create': apiKeyCreate,
  'api-key list': apiKeyList,
  'api-key revoke': apiKeyRevoke,
  tickets,
  'ticket ack': ticketAck,
  'ticket plan': ticketPlan,
  'ticket note': ticketNote,
  'ticket resolve': ticketResolve,
  'ticket reopen': ticketReopen,
  'ticket priority': ticketPriority,
  'maintenance add': maintenanceAdd,
  'maintenance list': maintenanceList,
  'maintenance delete': maintenanceDelete,
  'silence add': silenceAdd,
  'silence list': silenceList,
  'silence expire': silenceExpire,
  deploy,
  'desks test': desksTest,
  'rules show': rulesShow,
  compliance,
  'compliance waive': complianceWaive,
  'compliance waivers': complianceWaivers,
  'compliance unwaive': complianceUnwaive,
  'patches list': patchesList,
  'patches approve': patchesApprove,
  'patches decline': patchesDecline,
  report,
  'report send': reportSend,
  'report deliveries': reportDeliveries,
  'av update': avUpdate,
  'av scan': avScan,
  'av actions': avActions,
};
