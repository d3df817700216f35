import type { AppMeshModel } from './app-mesh-model.js';
import { firstSentence } from './doc-summary.js';
import { referencedShapes, type MemberSpec, type ShapeSpec, type StringShape, type StructureShape } from './shapes.js';

/** Prettier's `printWidth`: string-enum unions are broken the way Prettier breaks them past it. */
const PRINT_WIDTH = 120;
/** Where a JSDoc that does not fit on one line is wrapped (indentation and ` * ` included). */
const COMMENT_WIDTH = 110;

const HEADER = [
  '// Generated from reference/appmesh-2019-01-25.service-2.json by `npm run gen:types`: do not edit by hand.',
  '//',
  '// One declaration per structure and string enum reachable from an App Mesh operation (operation',
  '// inputs/outputs and error shapes excluded). Primitives, lists and maps are inlined: strings as',
  '// `string`, integers and longs as `number`, timestamps as `Date`, lists as `readonly T[]`, maps as',
  '// `Readonly<Record<string, T>>`. Union structures are interfaces whose members are all optional;',
  '// exactly one of them is set.',
];

/**
 * The TypeScript declarations of the App Mesh data types, as the source text of
 * `src/meshes/api-model/generated/app-mesh-types.ts`: an exported interface per structure and a
 * union of string literals per string enum, for every shape reachable from an operation's input or
 * output (the `XxxInput`/`XxxOutput` wrappers and the error shapes themselves are left out).
 * Alphabetical, deterministic, and already in the project's Prettier format.
 */
export function renderAppMeshTypes(model: AppMeshModel): string {
  const declared = declaredShapes(model);
  const blocks = [...declared].sort(byCodeUnit).map((name) => {
    const shape = model.shape(name);
    if (shape.type === 'structure') return renderStructure(model, shape, declared);
    if (shape.type === 'string' && shape.enum) return renderEnum(shape);
    throw new Error(`App Mesh model: ${name} is neither a structure nor a string enum`);
  });
  return `${HEADER.join('\n')}\n\n${blocks.join('\n\n')}\n`;
}

/** Structures and string enums reachable from the operations, minus the operation wrappers and errors. */
function declaredShapes(model: AppMeshModel): Set<string> {
  const wrappers = new Set<string>();
  for (const op of model.operations.values()) wrappers.add(op.inputShape).add(op.outputShape);
  const seen = new Set<string>();
  const pending = [...wrappers];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (seen.has(name)) continue;
    seen.add(name);
    pending.push(...referencedShapes(model.shape(name)));
  }
  const declared = new Set<string>();
  for (const name of seen) {
    const shape = model.shape(name);
    if (wrappers.has(name) || (shape.type === 'structure' && shape.error)) continue;
    if (shape.type === 'structure' || (shape.type === 'string' && shape.enum)) declared.add(name);
  }
  return declared;
}

function renderStructure(model: AppMeshModel, shape: StructureShape, declared: ReadonlySet<string>): string {
  const doc = [docSummary(shape.documentation), ...(shape.union ? ['Exactly one member is set.'] : [])].filter(
    (part) => part !== '',
  );
  const members = [...shape.members]
    .sort((a, b) => byCodeUnit(a.name, b.name))
    .map((member) => renderMember(model, member, shape.union, declared));
  const body = members.length === 0 ? '{}' : `{\n${members.join('\n')}\n}`;
  return `${jsDoc(doc, '')}export interface ${shape.name} ${body}`;
}

function renderMember(model: AppMeshModel, member: MemberSpec, union: boolean, declared: ReadonlySet<string>): string {
  const optional = union || !member.required ? '?' : '';
  // A member without documentation of its own (e.g. `metadata`) borrows its shape's.
  const doc = docSummary(member.documentation ?? model.shape(member.shape).documentation);
  const key = /^[A-Za-z_$][\w$]*$/.test(member.name) ? member.name : `'${member.name.replace(/['\\]/g, '\\$&')}'`;
  return `${jsDoc(doc === '' ? [] : [doc], '  ')}  readonly ${key}${optional}: ${typeOf(model, member.shape, declared)};`;
}

function renderEnum(shape: StringShape): string {
  const values = (shape.enum ?? []).map((value) => `'${value.replace(/['\\]/g, '\\$&')}'`);
  const doc = jsDoc(
    [docSummary(shape.documentation)].filter((part) => part !== ''),
    '',
  );
  const union = `${values.join(' | ')};`;
  const head = `export type ${shape.name} =`;
  if (head.length + 1 + union.length <= PRINT_WIDTH) return `${doc}${head} ${union}`;
  if (2 + union.length <= PRINT_WIDTH) return `${doc}${head}\n  ${union}`;
  return `${doc}${head}\n${values.map((v) => `  | ${v}`).join('\n')};`;
}

/** The TypeScript type of a reference to a shape: a declared name, or an inlined primitive, list or map. */
function typeOf(model: AppMeshModel, name: string, declared: ReadonlySet<string>): string {
  const shape: ShapeSpec = model.shape(name);
  switch (shape.type) {
    case 'string':
      return shape.enum ? declaredName(name, declared) : 'string';
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'Date';
    case 'blob':
      return 'Uint8Array';
    case 'list': {
      const item = typeOf(model, shape.member, declared);
      return /^[\w$.]+$/.test(item) ? `readonly ${item}[]` : `readonly (${item})[]`;
    }
    case 'map':
      return `Readonly<Record<string, ${typeOf(model, shape.value, declared)}>>`;
    case 'structure':
      return declaredName(name, declared);
  }
}

function declaredName(name: string, declared: ReadonlySet<string>): string {
  if (!declared.has(name)) throw new Error(`App Mesh model: ${name} is referenced but not declared`);
  return name;
}

/** The first sentence of a shape's documentation, safe inside a JSDoc comment. */
function docSummary(html: string | undefined): string {
  return firstSentence(html).replaceAll('*/', '*\\/');
}

/** A JSDoc block (one line when it fits), each paragraph wrapped; '' for no paragraphs. */
function jsDoc(paragraphs: readonly string[], indent: string): string {
  if (paragraphs.length === 0) return '';
  const single = `${indent}/** ${paragraphs[0] ?? ''} */`;
  if (paragraphs.length === 1 && single.length <= PRINT_WIDTH) return `${single}\n`;
  const width = COMMENT_WIDTH - indent.length - 3;
  const lines = paragraphs.flatMap((p, i) => [...(i > 0 ? [''] : []), ...wrap(p, width)]);
  return `${indent}/**\n${lines.map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`)).join('\n')}\n${indent} */\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
