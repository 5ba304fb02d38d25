// Every ticketing desk connector runs the one delivery contract (connector-contract.ts) against its vendor fake.
import { connectorContract } from './connector-contract.js';
import { autotaskHarness } from './contract/autotask.js';
import { connectwiseHarness } from './contract/connectwise.js';
import { halopsaHarness } from './contract/halopsa.js';
import { jiraHarness } from './contract/jira.js';
import { servicenowHarness } from './contract/servicenow.js';

connectorContract('connectwise', connectwiseHarness);
connectorContract('autotask', autotaskHarness);
connectorContract('halopsa', halopsaHarness);
connectorContract('jira', jiraHarness);
connectorContract('servicenow', servicenowHarness);
