/**
 * A problem in the user's configuration; the part it affects is left out of the output. Its own
 * module because the translator's parts (translate.ts, gateway.ts) and the compile records that
 * store problems (cache/, compiler/) all name it, and none of them should import another for it.
 */
export interface TranslationProblem {
  readonly arn: string;
  readonly message: string;
}
