import { AppMeshModel, type OperationName } from '../../meshes/api-model/app-mesh-model.js';
import { EXPECTED_VERSION } from './mutation.inputs.js';

/**
 * A mutation's input validated by the App Mesh model exactly as REST validates the same operation
 * (shapes, lengths, patterns, ranges, text rules), so both transports accept the same writes and
 * name a problem's field the same way: GraphQL's inputs use App Mesh's member names for that.
 * Each member is given to the validator where REST carries it (the URI's, the query string's, the
 * body's); absent (null) optional members are left out, as a REST client leaves them out, and
 * so are GraphQL's own members (`expectedVersion`), which the caller reads from the input itself.
 */
export function appMeshInput(
  operation: OperationName,
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const model = AppMeshModel.load();
  const shape = model.shape(model.operation(operation).inputShape);
  const members = new Map(shape.type === 'structure' ? shape.members.map((m) => [m.name, m]) : []);
  const path: Record<string, string> = {};
  const query: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(input)) {
    if (value === null || value === undefined || member === EXPECTED_VERSION) continue;
    const spec = members.get(member);
    if (spec?.location === 'uri') path[spec.locationName] = String(value);
    else if (spec?.location === 'querystring') query[spec.locationName] = String(value);
    else body[member] = value;
  }
  return model.validateInput(operation, { path, query, body });
}
