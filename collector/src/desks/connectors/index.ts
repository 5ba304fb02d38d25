// The one map of service-desk connector types: a desk's `type` in the desks file is a key here. Adding a desk
// type is one file in this folder plus one line below.
import type { ConnectorType } from '../contract.js';
import { autotask } from './autotask.js';
import { connectwise } from './connectwise.js';
import { email } from './email.js';
import { halopsa } from './halopsa.js';
import { jira } from './jira.js';
import { servicenow } from './servicenow.js';
import { webhook } from './webhook.js';

export const CONNECTOR_TYPES = {
  webhook,
  email,
  connectwise,
  autotask,
  halopsa,
  jira,
  servicenow,
} as const satisfies Record<string, ConnectorType<never>>;

export type ConnectorTypeName = keyof typeof CONNECTOR_TYPES;

export function connectorType(name: string): ConnectorType<Record<string, unknown>> | undefined {
  return Object.hasOwn(CONNECTOR_TYPES, name) ? (CONNECTOR_TYPES[name as ConnectorTypeName] as unknown as ConnectorType<Record<string, unknown>>) : undefined;
}
