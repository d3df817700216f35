import { useState } from 'preact/hooks';
import { GqlError } from '../api/client';
import { GeneratedForm } from '../forms/GeneratedForm';
import { useFormModel } from '../forms/use-form-model';
import type { Spec } from '../spec/access';
import type { FormKind } from '../spec/forms';
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
  /** The kind whose spec the form edits: its controls are generated from the App Mesh model. */
  readonly kind: FormKind;
  readonly initial: Spec;
  readonly submitLabel: string;
  /** Throws the API's error; the form spreads its field errors next to the fields. */
  readonly onSubmit: (names: Record<string, string>, spec: Spec) => Promise<void>;
  readonly onCancel?: () => void;
}

/**
 * A create/edit form for one resource: its names, every member of its kind's spec (generated from
 * the App Mesh model, ADR 0027), and the whole spec as editable JSON. Validation is the API's
 * (noValidate): before sending, the spec goes through the API's own compiled validator, and the
 * API checks it again; either's message is shown under the field its path names
 * (`extensions.fields` for the API's), the rest above the buttons.
 */
export function SpecForm({ title, names, kind, initial, submitLabel, onSubmit, onCancel }: SpecFormProps) {
  const forms = useFormModel();
  const model = forms.model;
  const [nameValues, setNameValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(names.map((n) => [n.arg, n.value])),
  );
  const [spec, setSpec] = useState<Spec>(initial);
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [general, setGeneral] = useState<unknown>(undefined);
  const [unplaced, setUnplaced] = useState<readonly string[]>([]);
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
    setErrors(new Map());
    setGeneral(undefined);
    setUnplaced([]);
    const covers = (path: string) => model?.covers(kind, path) ?? false;
    const show = (byField: Map<string, string>) => {
      const shown = placeErrors(byField, names, covers, mode);
      setErrors(shown.placed);
      setUnplaced(shown.unplaced);
      return shown;
    };
    // The API's own checks, in the browser: a spec they refuse is not sent.
    const local = model?.validate(kind, toSend);
    if (local && local.size > 0) {
      show(local);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(nameValues, toSend);
    } catch (e) {
      if (e instanceof GqlError && e.code === 'VALIDATION') {
        const shown = show(e.fieldErrors());
        if (shown.placed.size === 0 && shown.unplaced.length === 0) setGeneral(e);
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
      {mode === 'json' ? null : model ? (
        <GeneratedForm model={model} kind={kind} spec={spec} setSpec={setSpec} errorOf={specError} />
      ) : forms.error ? (
        <ErrorMessage error={forms.error} />
      ) : (
        <p aria-busy="true">Loading the form…</p>
      )}
      {mode === 'form' ? null : (
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
      {unplaced.length > 0 ? (
        <ul class="form-errors" role="alert">
          {unplaced.map((u) => (
            <li key={u}>{u}</li>
          ))}
        </ul>
      ) : null}
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

/** Splits field errors into those a control (or fieldset) of the form shows and the rest. */
function placeErrors(
  byField: Map<string, string>,
  names: readonly NameField[],
  covers: (path: string) => boolean,
  mode: 'form' | 'json',
): { placed: Map<string, string>; unplaced: string[] } {
  const placed = new Map<string, string>();
  const unplaced: string[] = [];
  const jsonErrors: string[] = [];
  for (const [path, message] of byField) {
    if (names.some((n) => n.arg === path)) placed.set(path, message);
    else if (path.startsWith('spec') && mode === 'json') jsonErrors.push(`${path}: ${message}`);
    else if (path.startsWith('spec.') && covers(path.slice('spec.'.length))) placed.set(path, message);
    else unplaced.push(`${path}: ${message}`);
  }
  if (jsonErrors.length > 0) placed.set('$json', jsonErrors.join('\n'));
  return { placed, unplaced };
}
