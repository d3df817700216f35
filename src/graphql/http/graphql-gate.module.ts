import { Module } from '@nestjs/common';
import { TenantsModule } from '../../tenants/tenants.module.js';
import { GraphqlGate } from './graphql-gate.js';

/** The gate, with the AuthGuard it runs; imported by the GraphQL driver's options factory. */
@Module({ imports: [TenantsModule], providers: [GraphqlGate], exports: [GraphqlGate] })
export class GraphqlGateModule {}
