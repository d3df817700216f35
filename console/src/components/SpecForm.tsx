import { useState } from 'preact/hooks';
import { GqlError } from '../api/client';
import { getAt, setAt, type Spec } from '../spec/access';
import type { FieldDef } from '../spec/forms';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';

export interface NameField {
  /** The input member (meshName, virtualNodeName, virtualRouterName …): errors naming it land here. */
  readonly arg: string;
  readonly label: string;
  readonly value: string;
  /** A name is fixed once the resource exists. */
  readonly readOnly: boolean;
  /** Choices for a parent (a route's router); free text when absent. */
  readonly options?: readonly string[];
}

interface SpecFormProps {
  readonly title: string;
  readonly names: readonly NameField[];
  readonly fields: readonly FieldDef[];
  readonly initial: Spec;
  readonly submitLabel: string;
  /** Throws the API's error; the form spreads its field errors next to the fields. */
  readonly onSubmit: (names: Record<string, string>, spec: Spec) => Promise<void>;
  readonly onCancel?: () => void;
}

/**
 * A create/edit form for one resource: its names, the spec fields of its kind, and the whole spec
 * as editable JSON. Validation is the API's (noValidate): each message of a VALIDATION error is
 * shown under the field its `extensions.fields` path names; the rest above the buttons.
 */
export function SpecForm({ title, names, fields, initial, submitLabel, onSubmit, onCancel }: SpecFormProps) {
  const [nameValues, setNameValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(names.map((n) => [n.arg, n.value])),
  );
  const [spec, setSpec] = useState<Spec>(initial);
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [general, setGeneral] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const switchMode = (next: 'form' | 'json') => {
    if (next === mode) return;
    if (next === 'json') setJsonText(JSON.stringify(spec, null, 2));
    else {
      try {
        setSpec(JSON.parse(jsonText) as Spec);
      } catch (e) {
        setErrors(new Map([['$json', `Not valid JSON: ${(e as Error).message}`]]));
        return;
      }
    }
    setErrors(new Map());
    setMode(next);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    let toSend = spec;
    if (mode === 'json') {
      try {
        toSend = JSON.parse(jsonText) as Spec;
      } catch (e) {
        setErrors(new Map([['$json', `Not valid JSON: ${(e as Error).message}`]]));
        return;
      }
    }
    setBusy(true);
    setErrors(new Map());
    setGeneral(undefined);
    try {
      await onSubmit(nameValues, toSend);
    } catch (e) {
      if (e instanceof GqlError && e.code === 'VALIDATION') {
        const byField = e.fieldErrors();
        const shown = placeErrors(byField, names, fields, mode);
        setErrors(shown.placed);
        if (shown.unplaced.length > 0 || shown.placed.size === 0) setGeneral(e);
      } else setGeneral(e);
    } finally {
      setBusy(false);
    }
  };

  const specError = (path: string) => errors.get(`spec.${path}`);

  return (
    <form class="card" onSubmit={submit} noValidate aria-label={title}>
      <h3>{title}</h3>
      {names.map((n) => (
        <Field key={n.arg} id={`name-${n.arg}`} label={n.label} error={errors.get(n.arg)}>
          {(aria) =>
            n.options && !n.readOnly ? (
              <select
                {...aria}
                value={nameValues[n.arg]}
                onChange={(e) => setNameValues({ ...nameValues, [n.arg]: e.currentTarget.value })}
              >
                <option value="">Choose…</option>
                {n.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...aria}
                type="text"
                value={nameValues[n.arg]}
                readOnly={n.readOnly}
                autoComplete="off"
                onInput={(e) => setNameValues({ ...nameValues, [n.arg]: e.currentTarget.value })}
              />
            )
          }
        </Field>
      ))}
      <div class="tabs" role="group" aria-label="Spec editor">
        <button type="button" aria-pressed={mode === 'form'} onClick={() => switchMode('form')}>
          Form
        </button>
        <button type="button" aria-pressed={mode === 'json'} onClick={() => switchMode('json')}>
          JSON
        </button>
      </div>
      {mode === 'form' ? (
        fields.map((f) => (
          <SpecField key={f.path} field={f} path={f.path} spec={spec} setSpec={setSpec} errorOf={specError} />
        ))
      ) : (
        <Field id="spec-json" label="Spec (JSON)" error={errors.get('$json')}>
          {(aria) => (
            <textarea
              {...aria}
              class="json-edit"
              rows={16}
              spellcheck={false}
              value={jsonText}
              onInput={(e) => setJsonText(e.currentTarget.value)}
            />
          )}
        </Field>
      )}
      <ErrorMessage error={general} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** Splits the API's field errors into those a visible control shows and the rest. */
function placeErrors(
  byField: Map<string, string>,
  names: readonly NameField[],
  fields: readonly FieldDef[],
  mode: 'form' | 'json',
): { placed: Map<string, string>; unplaced: string[] } {
  const placed = new Map<string, string>();
  const unplaced: string[] = [];
  const jsonErrors: string[] = [];
  for (const [path, message] of byField) {
    if (names.some((n) => n.arg === path)) placed.set(path, message);
    else if (path.startsWith('spec') && mode === 'json') jsonErrors.push(`${path}: ${message}`);
    else if (path.startsWith('spec.') && covers(fields, path.slice('spec.'.length))) placed.set(path, message);
    else unplaced.push(path);
  }
  if (jsonErrors.length > 0) placed.set('$json', jsonErrors.join('\n'));
  return { placed, unplaced };
}

/** Whether a control of the form edits `path` (list items: `list[2].sub`). */
function covers(fields: readonly FieldDef[], path: string): boolean {
  return fields.some((f) => {
    if (f.type !== 'list') return f.path === path;
    const m = new RegExp(`^${escape(f.path)}\\[\\d+\\]\\.(.+)$`).exec(path);
    return m !== null && covers(f.item, m[1]!);
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface SpecFieldProps {
  readonly field: FieldDef;
  readonly path: string;
  readonly spec: Spec;
  readonly setSpec: (s: Spec) => void;
  readonly errorOf: (path: string) => string | undefined;
}

function SpecField({ field, path, spec, setSpec, errorOf }: SpecFieldProps) {
  const id = `spec-${path}`;
  if (field.type === 'list') {
    const items = (getAt(spec, path) as unknown[] | undefined) ?? [];
    return (
      <fieldset class="list">
        <legend>{field.label}</legend>
        {items.map((_, i) => (
          <div class="list-row" key={i}>
            {field.item.map((sub) => (
              <SpecField
                key={sub.path}
                field={{ ...sub, label: `${sub.label} ${i + 1}` }}
                path={`${path}[${i}].${sub.path}`}
                spec={spec}
                setSpec={setSpec}
                errorOf={errorOf}
              />
            ))}
            <button
              type="button"
              aria-label={`Remove ${field.label.toLowerCase()} ${i + 1}`}
              onClick={() =>
                setSpec(
                  setAt(
                    spec,
                    path,
                    items.filter((__, j) => j !== i),
                  ),
                )
              }
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setSpec(setAt(spec, path, [...items, field.newItem()]))}>
          Add
        </button>
      </fieldset>
    );
  }
  const value = getAt(spec, path);
  const hint = field.type === 'select' ? undefined : field.hint;
  return (
    <Field id={id} label={field.label} error={errorOf(path)} hint={hint}>
      {(aria) =>
        field.type === 'select' ? (
          <select
            {...aria}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => setSpec(setAt(spec, path, e.currentTarget.value || undefined))}
          >
            {field.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...aria}
            type="text"
            inputMode={field.type === 'number' ? 'numeric' : 'text'}
            autoComplete="off"
            value={value === undefined || value === null ? '' : String(value)}
            onInput={(e) => {
              const raw = e.currentTarget.value;
              // A number field sends what is not a number as typed: the API names the rule it breaks.
              const asNumber = Number(raw);
              const next =
                raw === '' ? undefined : field.type === 'number' && Number.isFinite(asNumber) ? asNumber : raw;
              setSpec(setAt(spec, path, next));
            }}
          />
        )
      }
    </Field>
  );
}
