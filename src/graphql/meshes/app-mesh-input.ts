import { AppMeshModel, type OperationName } from '../../meshes/api-model/app-mesh-model.js';

/** `{meshName}` and the like in an operation's URI: the members REST takes from the path. */
const URI_LABEL = /\{(\w+)\+?\}/g;

/**
 * A mutation's input validated by the App Mesh model exactly as REST validates the same operation
 * (shapes, lengths, patterns, ranges, text rules), so both transports accept the same writes and
 * name a problem's field the same way: GraphQL's inputs use App Mesh's member names for that.
 * The members REST reads from the URI are given to the validator as path values, the others as
 * the body; absent (null) optional members are left out, as a REST client leaves them out.
 */
export function appMeshInput(
  operation: OperationName,
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const model = AppMeshModel.load();
  const labels = new Set([...model.operation(operation).requestUri.matchAll(URI_LABEL)].map((m) => m[1]));
  const path: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (labels.has(member)) path[member] = String(value);
    else body[member] = value;
  }
  return model.validateInput(operation, { path, query: {}, body });
}
