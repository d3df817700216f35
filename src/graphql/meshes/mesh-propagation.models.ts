import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Connected proxies of a mesh, by state.' })
export class ProxyCounts {
  @Field(() => Int)
  connected!: number;

  @Field(() => Int, { description: "Proxies that hold the mesh's latest compiled configuration." })
  inSync!: number;

  @Field(() => Int, { description: 'Proxies whose last response to the control plane was a NACK.' })
  withNack!: number;
}

@ObjectType({ description: 'A compile that was not published: the fleet keeps serving the last good one.' })
export class CompileRejection {
  @Field({ description: 'The mesh generation that was compiled (a decimal integer).' })
  generation!: string;

  @Field({ description: 'When it was rejected (ISO 8601).' })
  at!: string;

  @Field()
  reason!: string;
}

@ObjectType({ description: 'A configuration problem of what the fleet serves, on the resource at fault.' })
export class ServedProblem {
  @Field()
  arn!: string;

  @Field()
  message!: string;

  @Field(() => String, {
    nullable: true,
    description: 'DEGRADED: the affected part is left out; REJECTED: its latest version is not served.',
  })
  translation?: string;
}

@ObjectType({
  description:
    "Where the mesh's committed changes are on their way to the proxies (the same as GET /v1/meshes/{name}/status).",
})
export class MeshPropagation {
  @Field()
  meshName!: string;

  @Field({ description: 'Increases with every committed change to the mesh or anything in it (a decimal integer).' })
  generation!: string;

  @Field({ description: 'The newest generation compiled: published, or rejected.' })
  compiledGeneration!: string;

  @Field(() => String, { nullable: true, description: 'The generation whose configuration the fleet serves.' })
  servedGeneration?: string;

  @Field(() => String, { nullable: true })
  compiledVersion?: string;

  @Field(() => String, { nullable: true, description: 'When the served configuration was compiled (ISO 8601).' })
  compiledAt?: string;

  @Field({
    description: 'Every committed change is compiled and published, and every connected proxy ACKed it.',
  })
  inSync!: boolean;

  @Field(() => ProxyCounts)
  proxies!: ProxyCounts;

  @Field(() => String, {
    nullable: true,
    description:
      'When the last proxy that holds the compiled version came in sync with it (ISO 8601): with `proxies`, how far a change got and how long it took.',
  })
  lastAckAt?: string;

  @Field(() => CompileRejection, { nullable: true, description: 'The latest compile, when it was not published.' })
  rejected?: CompileRejection;

  @Field(() => [ServedProblem])
  problems!: ServedProblem[];
}
