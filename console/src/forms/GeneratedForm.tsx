import type { FormKindId, FormMember, FormShape } from '../../../src/meshes/api-model/form-schema-format.js';
import { sizeRange, valueRange } from '../../../src/meshes/api-model/constraint-messages.js';
import { Field } from '../components/Field';
import { getAt, setAt, type Spec } from '../spec/access';
import type { FormModel } from './form-model';
import { inSentence, itemLabelOf, labelOf, ruleHint } from './labels';

interface Ctx {
  readonly model: FormModel;
  readonly spec: Spec;
  readonly set: (path: string, value: unknown) => void;
  /** The message for a path relative to the spec, if any. */
  readonly errorOf: (path: string) => string | undefined;
}

interface GeneratedFormProps {
  readonly model: FormModel;
  readonly kind: FormKindId;
  readonly spec: Spec;
  readonly setSpec: (spec: Spec) => void;
  readonly errorOf: (path: string) => string | undefined;
}

/**
 * Every member of a kind's spec, rendered from the schema generated from the App Mesh model:
 * structures as fieldsets (optional ones added on demand), unions as a choice of member then its
 * form, lists with add and remove, enums as selects, numbers with their bounds, the model's
 * documentation and rules as hints. A control's id and its error key are its field path
 * (`listeners[0].portMapping.port`), the path the API's `extensions.fields` names.
 */
export function GeneratedForm({ model, kind, spec, setSpec, errorOf }: GeneratedFormProps) {
  const ctx: Ctx = {
    model,
    spec,
    errorOf,
    // Not pruned: a structure the operator added stays until removed (setAt's `prune`).
    set: (path, value) => setSpec(setAt(spec, path, value, { prune: false })),
  };
  const root = model.shape(model.specShape(kind));
  return <>{root.type === 'structure' ? <Members ctx={ctx} shape={root} path="" /> : null}</>;
}

const join = (parent: string, member: string) => (parent === '' ? member : `${parent}.${member}`);

/** Required members first (what the operator must fill), then the rest in the model's order. */
function Members({ ctx, shape, path }: { ctx: Ctx; shape: FormShape & { type: 'structure' }; path: string }) {
  return (
    <>
      {[...shape.members.filter((m) => m.required), ...shape.members.filter((m) => !m.required)].map((m) => (
        <MemberNode key={m.name} ctx={ctx} member={m} path={join(path, m.name)} />
      ))}
    </>
  );
}

/**
 * A value to start a member with when it is added: structures and lists empty, strings blank, a
 * union of one member (a backend's `virtualService`) with that member chosen.
 */
function initialOf(model: FormModel, shape: FormShape): unknown {
  switch (shape.type) {
    case 'structure': {
      const only = shape.union && shape.members.length === 1 ? shape.members[0] : undefined;
      return only ? { [only.name]: initialOf(model, model.shape(only.shape)) } : {};
    }
    case 'list':
      return [];
    case 'string':
      return shape.enum?.[0] ?? '';
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}

/** One member of a structure at `path`. `shown` forces it open (a union's chosen member). */
function MemberNode({ ctx, member, path, shown }: { ctx: Ctx; member: FormMember; path: string; shown?: boolean }) {
  const shape = ctx.model.shape(member.shape);
  const value = getAt(ctx.spec, path);
  const label = labelOf(member.name);
  const required = member.required === true || shown === true;
  if (shape.type === 'structure') {
    // A union is its choice of member, "None" while it has none.
    if (shape.union) return <UnionNode ctx={ctx} member={member} shape={shape} path={path} label={label} />;
    if (value === undefined && !required) {
      return (
        <div class="optional-member">
          <button type="button" onClick={() => ctx.set(path, initialOf(ctx.model, shape))}>
            Add {inSentence(label)}
          </button>
          {member.hint ? <small class="hint">{member.hint}</small> : null}
        </div>
      );
    }
    return (
      <Group ctx={ctx} path={path} legend={label} hint={member.hint} required={member.required === true}>
        {!required ? (
          <button type="button" class="remove" onClick={() => ctx.set(path, undefined)}>
            Remove {inSentence(label)}
          </button>
        ) : null}
        <Members ctx={ctx} shape={shape} path={path} />
      </Group>
    );
  }
  if (shape.type === 'list') return <ListNode ctx={ctx} member={member} shape={shape} path={path} label={label} />;
  return (
    <Scalar
      ctx={ctx}
      shape={shape}
      path={path}
      label={label}
      hint={member.hint}
      required={required}
      keepBlank={required}
    />
  );
}

/** A fieldset for a structure, a union or a list, with the error the API gives for it as a whole. */
function Group(props: {
  ctx: Ctx;
  path: string;
  legend: string;
  hint?: string | undefined;
  required?: boolean;
  children: preact.ComponentChildren;
}) {
  const error = props.ctx.errorOf(props.path);
  const id = `spec-${props.path}`;
  return (
    <fieldset
      class={error ? 'member invalid' : 'member'}
      id={id}
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>
        {props.legend}
        {props.required ? (
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </legend>
      {props.hint ? <small class="hint">{props.hint}</small> : null}
      {error ? (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      ) : null}
      {props.children}
    </fieldset>
  );
}

function UnionNode(props: {
  ctx: Ctx;
  member: FormMember;
  shape: FormShape & { type: 'structure' };
  path: string;
  label: string;
}) {
  const { ctx, member, shape, path, label } = props;
  const value = getAt(ctx.spec, path);
  const chosen = value !== null && typeof value === 'object' ? shape.members.find((m) => m.name in value) : undefined;
  const error = ctx.errorOf(path);
  const id = `spec-${path}`;
  return (
    <fieldset class={error ? 'member union invalid' : 'member union'}>
      <legend>
        {label}
        {member.required ? (
          <span class="req" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </legend>
      <Field id={id} label={`${label}: kind`} hint={member.hint} error={error}>
        {(aria) => (
          <select
            {...aria}
            value={chosen?.name ?? ''}
            onChange={(e) => {
              const next = shape.members.find((m) => m.name === e.currentTarget.value);
              ctx.set(path, next ? { [next.name]: initialOf(ctx.model, ctx.model.shape(next.shape)) } : undefined);
            }}
          >
            <option value="">{member.required ? 'Choose…' : 'None'}</option>
            {shape.members.map((m) => (
              <option key={m.name} value={m.name}>
                {labelOf(m.name)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {chosen ? <MemberNode ctx={ctx} member={chosen} path={join(path, chosen.name)} shown /> : null}
    </fieldset>
  );
}

function ListNode(props: {
  ctx: Ctx;
  member: FormMember;
  shape: FormShape & { type: 'list' };
  path: string;
  label: string;
}) {
  const { ctx, member, shape, path, label } = props;
  const items = (getAt(ctx.spec, path) as unknown[] | undefined) ?? [];
  const itemShape = ctx.model.shape(shape.member);
  const item = itemLabelOf(member.name);
  const hint = [member.hint, ruleHint(sizeRange('items', shape.min, shape.max))].filter(Boolean).join(' ');
  const remove = (i: number) => {
    const rest = items.filter((_, j) => j !== i);
    ctx.set(path, rest.length === 0 && member.required !== true ? undefined : rest);
  };
  return (
    <Group ctx={ctx} path={path} legend={label} hint={hint || undefined} required={member.required === true}>
      {items.map((_, i) => {
        const at = `${path}[${i}]`;
        const removeButton = (
          <button type="button" class="remove" onClick={() => remove(i)}>
            Remove {inSentence(item)} {i + 1}
          </button>
        );
        return itemShape.type === 'structure' ? (
          <Group key={i} ctx={ctx} path={at} legend={`${item} ${i + 1}`}>
            {removeButton}
            {itemShape.union ? (
              <UnionNode
                ctx={ctx}
                member={{ name: member.name, shape: shape.member, required: true }}
                shape={itemShape}
                path={at}
                label={`${item} ${i + 1}`}
              />
            ) : (
              <Members ctx={ctx} shape={itemShape} path={at} />
            )}
          </Group>
        ) : (
          <div class="list-row" key={i}>
            <Scalar ctx={ctx} shape={itemShape} path={at} label={`${item} ${i + 1}`} required keepBlank />
            {removeButton}
          </div>
        );
      })}
      <button type="button" onClick={() => ctx.set(path, [...items, initialOf(ctx.model, itemShape)])}>
        Add {inSentence(item)}
      </button>
    </Group>
  );
}

function Scalar(props: {
  ctx: Ctx;
  shape: FormShape;
  path: string;
  label: string;
  hint?: string | undefined;
  required: boolean;
  /** A cleared text control keeps `''` (a required member, a list item) rather than dropping the member. */
  keepBlank: boolean;
}) {
  const { ctx, shape, path, label, required, keepBlank } = props;
  const value = getAt(ctx.spec, path);
  const id = `spec-${path}`;
  const rule =
    shape.type === 'string'
      ? shape.enum
        ? undefined
        : sizeRange('characters', shape.min, shape.max)
      : shape.type === 'list' || shape.type === 'structure' || shape.type === 'boolean'
        ? undefined
        : valueRange(shape.min, shape.max);
  const hint = [props.hint, ruleHint(rule)].filter(Boolean).join(' ') || undefined;
  return (
    <Field id={id} label={label} hint={hint} error={ctx.errorOf(path)} required={required}>
      {(aria) => {
        if (shape.type === 'string' && shape.enum) {
          return (
            <select
              {...aria}
              value={typeof value === 'string' ? value : ''}
              onChange={(e) => ctx.set(path, e.currentTarget.value || undefined)}
            >
              {required ? null : <option value="">Not set</option>}
              {shape.enum.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          );
        }
        if (shape.type === 'boolean') {
          return (
            <select
              {...aria}
              value={value === true ? 'true' : value === false ? 'false' : ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                ctx.set(path, v === '' ? undefined : v === 'true');
              }}
            >
              {required ? null : <option value="">Not set</option>}
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          );
        }
        const onInput = (e: { currentTarget: HTMLInputElement }, numeric: boolean) => {
          const raw = e.currentTarget.value;
          if (raw === '') return ctx.set(path, numeric || !keepBlank ? undefined : '');
          // A number that is not one is sent as typed: the validator names the rule it breaks.
          const asNumber = Number(raw);
          ctx.set(path, numeric && Number.isFinite(asNumber) ? asNumber : raw);
        };
        const shown = value === undefined || value === null ? '' : String(value);
        if (shape.type === 'string') {
          return <input {...aria} type="text" autoComplete="off" value={shown} onInput={(e) => onInput(e, false)} />;
        }
        if (shape.type === 'list' || shape.type === 'structure') return null;
        return (
          <input
            {...aria}
            type="number"
            min={shape.min}
            max={shape.max}
            step={shape.type === 'integer' || shape.type === 'long' ? 1 : 'any'}
            autoComplete="off"
            value={shown}
            onInput={(e) => onInput(e, true)}
          />
        );
      }}
    </Field>
  );
}
