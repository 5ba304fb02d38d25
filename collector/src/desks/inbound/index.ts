// The desks whose changes come back, by connector type: each reads its vendor's push (verify, parse) and, for the
// desks an `inbound: { poll }` block polls, its ticket as one GET answers it (poll). The webhook and email desks
// only receive.
import type { InboundVendor } from './contract.js';
import { autotaskInbound } from './autotask.js';
import { connectwiseInbound } from './connectwise.js';
import { haloInbound } from './halopsa.js';
import { jiraInbound } from './jira.js';
import { servicenowInbound } from './servicenow.js';

export const INBOUND_VENDORS: Readonly<Record<string, InboundVendor>> = {
  jira: jiraInbound,
  halopsa: haloInbound,
  connectwise: connectwiseInbound,
  servicenow: servicenowInbound,
  autotask: autotaskInbound,
};

export const inboundVendor = (type: string): InboundVendor | undefined => (Object.hasOwn(INBOUND_VENDORS, type) ? INBOUND_VENDORS[type] : undefined);
