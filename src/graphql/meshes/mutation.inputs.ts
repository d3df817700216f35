import { Field, InputType } from '@nestjs/graphql';
import { JsonScalar } from '../scalars/json.scalar.js';

/** Member names are App Mesh's, so that a validation problem names the same field on both APIs. */
@InputType({ description: "App Mesh's TagRef." })
export class TagInput {
  @Field()
  key!: string;

  @Field()
  value!: string;
}

@InputType()
export class CreateMeshInput {
  @Field()
  meshName!: string;

  @Field(() => JsonScalar, { nullable: true, description: "App Mesh's MeshSpec, as JSON." })
  spec?: unknown;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Makes a retry safe: the same token with the same input returns the first result.',
  })
  clientToken?: string | null;
}

@InputType()
export class CreateVirtualNodeInput {
  @Field()
  meshName!: string;

  @Field()
  virtualNodeName!: string;

  @Field(() => JsonScalar, { description: "App Mesh's VirtualNodeSpec, as JSON." })
  spec!: unknown;

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;

  @Field(() => String, { nullable: true })
  clientToken?: string | null;
}

@InputType()
export class UpdateVirtualNodeInput {
  @Field()
  meshName!: string;

  @Field()
  virtualNodeName!: string;

  @Field(() => JsonScalar, { description: "App Mesh's VirtualNodeSpec, as JSON: it replaces the current spec." })
  spec!: unknown;

  @Field(() => String, { nullable: true })
  clientToken?: string | null;
}
