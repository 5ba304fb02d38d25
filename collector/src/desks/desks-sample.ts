// The annotated sample desks file (collector/watchpost-desks.sample.yaml), generated from the desks file's schema and
// every connector type's settings schema: one desk of each registered type, named after its type, and one tenant
// routed to all of them, so that loading the sample checks every desk's example settings.
import { Type } from '@sinclair/typebox';
import { schemaSample } from '../config/schema-sample.js';
import { CONNECTOR_TYPES } from './connectors/index.js';
import { DESK_KEYS, DesksFileSchema } from './desks-file.js';

export const DESKS_SAMPLE_PATH = 'collector/watchpost-desks.sample.yaml';
/** The tenant the sample routes to every desk. */
export const SAMPLE_TENANT = 'example-tenant';

const HEADER = `# Service desks (desks.file; README "Service desks"), generated from the schemas by \`npm run gen\`; do not edit by hand.
# One desk of each type, named after its type, with every key it takes; keep the desks you use, under names of your own.
# Required keys show an example value; optional ones are commented out with their default. Write secrets as \${ENV_VAR}:
# they are read from the environment when the file is loaded, so the file itself can live in version control.
`;

export function desksSample(): string {
  const types = Object.keys(CONNECTOR_TYPES) as (keyof typeof CONNECTOR_TYPES)[];
  // A setting named like a desk's own key (ConnectWise's service `type`) is settable in a route only: left out here.
  const settings = (type: keyof typeof CONNECTOR_TYPES) =>
    Object.entries(CONNECTOR_TYPES[type].schema.properties).filter(([key]) => !Object.hasOwn(DESK_KEYS, key));
  const deskSchema = (type: keyof typeof CONNECTOR_TYPES) =>
    Type.Optional(Type.Object({ ...DESK_KEYS, ...Object.fromEntries(settings(type)) }, { description: `a desk of type ${type}` }));
  const { desks, ...routing } = DesksFileSchema.properties;
  const deskList = Type.Object(Object.fromEntries(types.map((t) => [t, deskSchema(t)])), { description: desks.description });
  const schema = Type.Object({ desks: Type.Optional(deskList), ...routing });
  return schemaSample(HEADER, schema, {
    desks: Object.fromEntries(types.map((t) => [t, { type: t }])),
    tenants: { [SAMPLE_TENANT]: { desks: types.map((desk) => ({ desk })) } },
  });
}
