import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppMeshModel, type OperationName } from '../api-model/app-mesh-model.js';
import { MeshResourcesService } from '../resources/mesh-resources.service.js';
import { ResourceTagsService } from '../resources/resource-tags.service.js';
import { TENANT_CONTEXT, type RequestWithTenant } from '../../tenants/auth/auth-policy.decorators.js';
import { EXTENSION_MEMBERS, OPERATION_HANDLERS, type Services } from './app-mesh-operations.js';

/**
 * The App Mesh REST surface as one step per request: validate the input against the model,
 * run the operation on the services, encode the output as the model says. Errors propagate as
 * DomainErrors and become App Mesh error types in the REST error filter.
 */
@Injectable()
export class AppMeshApi implements OnModuleInit {
  private readonly model = AppMeshModel.load();
  private readonly services: Services;

  constructor(resources: MeshResourcesService, tags: ResourceTagsService) {
    this.services = { resources, tags };
  }

  /** Refuses to start unless every operation of the model has exactly one handler. */
  onModuleInit(): void {
    const missing = [...this.model.operations.keys()].filter((op) => !OPERATION_HANDLERS.has(op));
    const extra = [...OPERATION_HANDLERS.keys()].filter((op) => !this.model.operations.has(op));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `App Mesh operations without a handler: [${missing.join(', ')}]; handlers without an operation: [${extra.join(', ')}]`,
      );
    }
  }

  async invoke(operation: OperationName, request: FastifyRequest & RequestWithTenant): Promise<unknown> {
    const caller = request[TENANT_CONTEXT];
    if (!caller) throw new Error(`${operation} reached without an authenticated tenant`);
    const input = this.model.validateInput(operation, {
      path: request.params as Record<string, string>,
      query: request.query as Record<string, string | string[] | undefined>,
      body: request.body,
    });
    const output = await OPERATION_HANDLERS.get(operation)!(this.services, caller.scope, input);
    const body = this.model.serializeOutput(operation, output);
    const extensions = output[EXTENSION_MEMBERS];
    return extensions && typeof body === 'object' && body !== null ? { ...body, ...extensions } : body;
  }
}
