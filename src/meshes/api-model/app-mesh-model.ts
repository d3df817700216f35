import { readFileSync } from 'node:fs';
import { compileInputAssembler, type HttpInputParts, type InputAssembler } from './compile-input.js';
import { compileSerializers, type CompiledSerializers, type Serializer } from './compile-serializer.js';
import { compileValidators } from './compile-validator.js';
import { parseOperations, type OperationName, type OperationSpec } from './operations.js';
import { optionalString, rawObject, rawString } from './raw-json.js';
import { memberRefinements, restrictShapes } from './refinements.js';
import { parseShapes, type ShapeSpec } from './shapes.js';

export {
  OPERATION_NAMES,
  toFastifyPath,
  type HttpMethod,
  type OperationName,
  type OperationSpec,
} from './operations.js';
export type { HttpInputParts } from './compile-input.js';
export type {
  BlobShape,
  BooleanShape,
  ListShape,
  MapShape,
  MemberLocation,
  MemberSpec,
  NumberShape,
  ShapeSpec,
  StringShape,
  StructureShape,
  TimestampShape,
} from './shapes.js';

/** Resolves from both `src/meshes/api-model/` and the compiled `dist/meshes/api-model/`. */
export const APP_MESH_MODEL_URL = new URL('../../../reference/appmesh-2019-01-25.service-2.json', import.meta.url);

export interface ServiceMetadata {
  readonly apiVersion: string;
  readonly serviceFullName: string;
  readonly serviceId: string;
  readonly signingName: string;
  readonly endpointPrefix: string;
  readonly protocol: string;
  readonly uid: string;
}

interface CompiledOperation {
  readonly assemble: InputAssembler;
  readonly serialize: Serializer;
}

/**
 * The App Mesh 2019-01-25 API model (`reference/appmesh-2019-01-25.service-2.json`) and what is
 * generated from it at load: one input validator per operation and one output serializer per
 * operation, built from per-shape functions so that a request pays no reflection over the JSON.
 */
export class AppMeshModel {
  private static instance: AppMeshModel | undefined;

  readonly operations: ReadonlyMap<OperationName, OperationSpec>;
  readonly shapes: ReadonlyMap<string, ShapeSpec>;
  readonly metadata: ServiceMetadata;
  /** The service's documentation (HTML). */
  readonly documentation?: string;
  /** Shapes whose `pattern` JavaScript cannot compile, with the reason; those patterns are not enforced. */
  readonly unsupportedPatterns: ReadonlyMap<string, string>;
  private readonly compiled: ReadonlyMap<OperationName, CompiledOperation>;

  private constructor(raw: unknown) {
    const model = rawObject(raw, 'the model');
    this.shapes = restrictShapes(parseShapes(model.shapes));
    this.operations = parseOperations(model.operations, this.shapes);
    const meta = rawObject(model.metadata, 'metadata');
    const text = (key: string) => rawString(meta[key], `metadata.${key}`);
    this.metadata = {
      apiVersion: text('apiVersion'),
      serviceFullName: text('serviceFullName'),
      serviceId: text('serviceId'),
      signingName: text('signingName'),
      endpointPrefix: text('endpointPrefix'),
      protocol: text('protocol'),
      uid: text('uid'),
    };
    const documentation = optionalString(model.documentation, 'documentation');
    if (documentation !== undefined) this.documentation = documentation;

    const validators = compileValidators(this.shapes, { members: memberRefinements(this.shapes) });
    const serializers = compileSerializers(this.shapes);
    this.unsupportedPatterns = validators.unsupportedPatterns;
    const compiled = new Map<OperationName, CompiledOperation>();
    for (const op of this.operations.values()) {
      compiled.set(op.name, {
        assemble: compileInputAssembler(op, this.shapes, validators),
        serialize: outputSerializer(op, this.shapes, serializers),
      });
    }
    this.compiled = compiled;
  }

  /** The model, read and compiled once per process. */
  static load(): AppMeshModel {
    AppMeshModel.instance ??= new AppMeshModel(JSON.parse(readFileSync(APP_MESH_MODEL_URL, 'utf8')));
    return AppMeshModel.instance;
  }

  operation(name: OperationName): OperationSpec {
    const op = this.operations.get(name);
    if (!op) throw new Error(`unknown App Mesh operation ${String(name)}`);
    return op;
  }

  /**
   * Validates and assembles the input of an operation from the three places restJson1 puts it:
   * members from the path, the query string (numbers and booleans parsed) and the JSON body,
   * merged into one object keyed by member name, absent and `null` members omitted. Throws
   * `DomainError('BAD_REQUEST')` whose message lists every problem as `<path>: <rule>`, joined
   * with `; ` (at most 100, then `and N more problems`).
   */
  validateInput(op: OperationName, parts: HttpInputParts): Record<string, unknown> {
    return this.compiledOf(op).assemble(parts);
  }

  /**
   * Shapes an output for the wire: only the members the model declares, `Date` timestamps as
   * epoch seconds with a millisecond fraction (1767225600.123), `bigint`s as numbers. For
   * outputs with a payload member, returns that member's value (the whole body).
   */
  serializeOutput(op: OperationName, output: Record<string, unknown>): unknown {
    return this.compiledOf(op).serialize(output);
  }

  shape(name: string): ShapeSpec {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`the App Mesh model has no shape ${name}`);
    return shape;
  }

  private compiledOf(op: OperationName): CompiledOperation {
    const compiled = this.compiled.get(op);
    if (!compiled) throw new Error(`unknown App Mesh operation ${String(op)}`);
    return compiled;
  }
}

/** The output structure's serializer, or for a payload output that of the payload member alone. */
function outputSerializer(
  op: OperationSpec,
  shapes: ReadonlyMap<string, ShapeSpec>,
  serializers: CompiledSerializers,
): Serializer {
  if (op.outputPayload === undefined) return serializers.serializer(op.outputShape);
  const output = shapes.get(op.outputShape);
  const member = output?.type === 'structure' ? output.members.find((m) => m.name === op.outputPayload) : undefined;
  if (!member) throw new Error(`App Mesh model: ${op.outputShape} has no payload member ${op.outputPayload}`);
  const payload = serializers.serializer(member.shape);
  const name = member.name;
  return (value) => {
    const body = (value as Record<string, unknown>)[name];
    return body === undefined || body === null ? body : payload(body);
  };
}
