import { AppMeshModel, type OperationName } from '../../meshes/api-model/app-mesh-model.js';

/**
 * A mutation's input validated by the App Mesh model exactly as REST validates the same operation
 * (shapes, lengths, patterns, ranges, text rules), so both transports accept the same writes and
 * name a problem's field the same way: GraphQL's inputs use App Mesh's member names for that.
 * `path` holds the members REST takes from the URI, `body` the others; absent (null) optional
 * members are left out, as a REST client leaves them out of its JSON.
 */
export function appMeshInput(
  operation: OperationName,
  path: Readonly<Record<string, string>>,
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const present = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== undefined));
  return AppMeshModel.load().validateInput(operation, { path, query: {}, body: present });
}
