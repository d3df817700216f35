import { applyDecorators, RequestMapping, RequestMethod } from '@nestjs/common';
import { AppMeshModel, type OperationName } from '../api-model/app-mesh-model.js';

const METHODS: Record<string, RequestMethod> = {
  GET: RequestMethod.GET,
  PUT: RequestMethod.PUT,
  POST: RequestMethod.POST,
  DELETE: RequestMethod.DELETE,
  PATCH: RequestMethod.PATCH,
};

/** Routes a handler to an App Mesh operation's HTTP method and path, as the model defines them. */
export function Op(name: OperationName): MethodDecorator {
  const op = AppMeshModel.load().operations.get(name);
  if (!op) throw new Error(`unknown App Mesh operation ${name}`);
  const method = METHODS[op.method];
  if (method === undefined) throw new Error(`unsupported method ${op.method} for ${name}`);
  return applyDecorators(RequestMapping({ path: op.fastifyPath, method }));
}
