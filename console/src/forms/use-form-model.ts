import { useEffect, useState } from 'preact/hooks';
import type { FormModel } from './form-model';

let loading: Promise<FormModel> | undefined;

/**
 * The forms' model, loaded with the first form that needs it (a chunk of its own: the schema and
 * the validator stay out of the first page's bundle). `undefined` until it is there.
 */
export function useFormModel(): { model: FormModel | undefined; error: unknown } {
  const [state, setState] = useState<{ model?: FormModel; error?: unknown }>({});
  useEffect(() => {
    let current = true;
    loading ??= import('./form-model').then((m) => m.formModel);
    loading.then(
      (model) => current && setState({ model }),
      (error: unknown) => {
        loading = undefined;
        if (current) setState({ error });
      },
    );
    return () => {
      current = false;
    };
  }, []);
  return { model: state.model, error: state.error };
}
