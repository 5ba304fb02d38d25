// The desks that push their changes back, by connector type. Not built for Autotask: its REST API does have
// webhooks (a TicketWebhooks entity, deliveries signed with X-Hook-Signature, HMAC-SHA1 under the webhook's
// SecretKey: https://www.autotask.net/help/developerhelp/Content/APIs/Webhooks/WEBHOOKS.htm), and polling is not
// built either, so an Autotask desk with an inbound block is refused at load. The webhook and email desks only
// receive.
import type { InboundVendor } from './contract.js';
import { connectwiseInbound } from './connectwise.js';
import { haloInbound } from './halopsa.js';
import { jiraInbound } from './jira.js';
import { servicenowInbound } from './servicenow.js';

export const INBOUND_VENDORS: Readonly<Record<string, InboundVendor>> = {
  jira: jiraInbound,
  halopsa: haloInbound,
  connectwise: connectwiseInbound,
  servicenow: servicenowInbound,
};

export const inboundVendor = (type: string): InboundVendor | undefined => (Object.hasOwn(INBOUND_VENDORS, type) ? INBOUND_VENDORS[type] : undefined);
