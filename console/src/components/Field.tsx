import type { ComponentChildren } from 'preact';

interface FieldProps {
  readonly id: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  /** Marked for the eye (an asterisk) and for assistive technology (aria-required). */
  readonly required?: boolean;
  readonly children: (aria: Record<string, string | boolean | undefined>) => ComponentChildren;
}

/**
 * A labelled control with its hint and its error right below it; the error is tied to the control
 * (aria-describedby, aria-invalid) so assistive technology reads it with the field.
 */
export function Field({ id, label, error, hint, required, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field invalid' : 'field'}>
      {required ? (
        // The mark stays outside the label: the control's accessible name is the label alone.
        <span class="label-row">
          <label for={id}>{label}</label>
          <span class="req" aria-hidden="true">
            *
          </span>
        </span>
      ) : (
        <label for={id}>{label}</label>
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': described || undefined,
        'aria-required': required ? true : undefined,
      })}
      {hint ? (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}
