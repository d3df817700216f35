import {
  compileView,
  type CompiledManifest,
  type CompiledView,
  type EncodedResource,
  viewHash,
  type ViewManifest,
} from '../cache/compiled-mesh.js';
import { parseJson, type TranslationEntry } from '../cache/translation-record.js';
import type { TranslationProblem } from '../translator/translate.js';
import { RESOURCE_KINDS, type ResourceKindName, type ResourceSet } from '../translator/envoy-types.js';
import { encoderMessage } from './compile-failure.js';
import { viewArn } from './translation-verdict.js';

/**
 * Encoding a compile's views when some resources cannot be encoded (the encoder refuses what the
 * translator built: a field its proto set lacks, a value out of range). A failure is confined to
 * the resource that failed, so the rest of the change is published (docs/adr/0006):
 *
 * - the resource is **kept at its last good version** in every view that was served one under
 *   the same name (the published manifest's hash, whose bytes are still stored); otherwise it is
 *   **left out** of that view;
 * - it is attributed to the App Mesh resources behind it: the ARNs in its metadata (its own, or
 *   its routes'), else the proxy whose view it is in, else the mesh; each becomes a problem whose
 *   resource the Describe shows REJECTED.
 *
 * Failed resources get a placeholder hash (content hashes are base64url: never `!`) while views
 * are built, replaced here once the published manifest is known (read only when something failed).
 */

const FAILED_PREFIX = '!';

/** One resource that could not be encoded, as the encode step saw it. */
interface Failure {
  readonly resource: object;
  readonly message: string;
}

/** One resource of one view that could not be encoded, and what became of it. */
export interface EncodeFailure {
  readonly variant: string;
  readonly view: string;
  readonly kind: ResourceKindName;
  readonly name: string;
  readonly arns: readonly string[];
  readonly message: string;
  /** The last good version was kept (else it was left out of the view). */
  readonly kept: boolean;
}

/** The encode step of one compile: wraps the (memoised) encoder so a failure does not abort the compile. */
export class ViewEncoding {
  private readonly failures = new Map<string, Failure>();

  /**
   * `encode` encodes one resource (memoised by the caller); `compiled` builds or reuses a view.
   * Views with a failed resource are never reused: the next compile tries them again.
   */
  constructor(private readonly encode: (kind: ResourceKindName, resource: object) => EncodedResource) {}

  /** Builds one view's CompiledView; a resource that fails gets a placeholder. */
  build(set: ResourceSet): { view: CompiledView; clean: boolean } {
    let clean = true;
    const view = compileView(set, (kind, resource) => {
      try {
        return this.encode(kind, resource);
      } catch (err) {
        clean = false;
        const hash = `${FAILED_PREFIX}${this.failures.size}`;
        this.failures.set(hash, { resource, message: encoderMessage(err) });
        return { hash, any: new Uint8Array() };
      }
    });
    return { view, clean };
  }

  get failed(): boolean {
    return this.failures.size > 0;
  }

  /**
   * The view manifests of every variant, with failed resources replaced by their last good
   * version from `published` (the manifest the compile is judged against) or left out.
   */
  assemble(
    built: ReadonlyMap<string, ReadonlyMap<string, CompiledView>>,
    published: CompiledManifest | undefined,
    meshArn: string,
  ): Assembled {
    const out: Assembled = { variants: {}, viewHashes: [], all: new Map(), arns: {}, kept: new Set(), failures: [] };
    for (const [variant, views] of built) {
      const manifests: Record<string, ViewManifest> = {};
      for (const [viewName, view] of views) {
        let manifest = view.manifest;
        let hash = view.hash;
        if (this.failed && hasFailure(manifest)) {
          manifest = this.replaceFailed(variant, viewName, manifest, published, meshArn, out);
          hash = viewHash(manifest);
        }
        for (const [encoded, arn] of view.resources) {
          if (encoded.hash.startsWith(FAILED_PREFIX)) continue;
          out.all.set(encoded.hash, encoded);
          if (arn) out.arns[encoded.hash] = arn;
        }
        manifests[viewName] = manifest;
        out.viewHashes.push(`${variant}/${viewName}=${hash}`);
      }
      out.variants[variant] = manifests;
    }
    return out;
  }

  private replaceFailed(
    variant: string,
    viewName: string,
    manifest: ViewManifest,
    published: CompiledManifest | undefined,
    meshArn: string,
    out: Assembled,
  ): ViewManifest {
    const replaced = {} as Record<ResourceKindName, Record<string, string>>;
    for (const kind of RESOURCE_KINDS) {
      const entries: Record<string, string> = {};
      for (const [name, hash] of Object.entries(manifest[kind])) {
        const failure = hash.startsWith(FAILED_PREFIX) ? this.failures.get(hash) : undefined;
        if (!failure) {
          entries[name] = hash;
          continue;
        }
        const lastGood = published?.variants[variant]?.[viewName]?.[kind]?.[name];
        if (lastGood) {
          entries[name] = lastGood;
          out.kept.add(lastGood);
          const arn = published?.arns[lastGood];
          if (arn) out.arns[lastGood] = arn;
        }
        out.failures.push({
          variant,
          view: viewName,
          kind,
          name,
          arns: arnsBehind(failure.resource, viewName, meshArn),
          message: failure.message,
          kept: lastGood !== undefined,
        });
      }
      replaced[kind] = entries;
    }
    return replaced;
  }
}

/** The encoded views of a compile, ready for its manifest. */
export interface Assembled {
  readonly variants: Record<string, Record<string, ViewManifest>>;
  /** `<variant>/<view>=<view hash>` lines: the compiled version's input. */
  readonly viewHashes: string[];
  /** Every resource encoded by this compile, by hash. */
  readonly all: Map<string, EncodedResource>;
  /** Resource hash → ARN of the App Mesh resource behind it. */
  readonly arns: Record<string, string>;
  /** Hashes of last good resources kept from the published manifest (stored already; must stay). */
  readonly kept: Set<string>;
  readonly failures: EncodeFailure[];
}

/** Envoy resources named in one problem's message before "and N more". */
const NAMED = 3;

/**
 * The problems of the resources that could not be encoded: one per ARN behind them and encoder
 * message, naming the Envoy resources (kind and name) it is in and what the proxies got instead.
 */
export function encodeProblems(failures: readonly EncodeFailure[]): TranslationProblem[] {
  const groups = new Map<string, { arn: string; message: string; resources: Set<string>; kept: boolean }>();
  for (const f of failures) {
    for (const arn of f.arns) {
      const key = `${arn}\n${f.message}`;
      const group = groups.get(key) ?? { arn, message: f.message, resources: new Set<string>(), kept: true };
      group.resources.add(`${f.kind} ${f.name}`);
      group.kept &&= f.kept;
      groups.set(key, group);
    }
  }
  return [...groups.values()].map((g) => {
    const names = [...g.resources].sort();
    const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : '';
    const what = g.kept ? 'the proxies keep its last good configuration' : 'it is left out where it has none';
    return {
      arn: g.arn,
      message: `cannot be encoded for Envoy (${g.message}; in ${names.slice(0, NAMED).join(', ')}${more}): ${what}`,
    };
  });
}

/**
 * Narrows each failure's ARNs to those new or changed since the latest recorded compile
 * (`previous`: its translation hash; `versions`: the snapshot's resources by ARN), when any is:
 * a route configuration that fails after one of its routes changed names that route, not every
 * route in it. A failure whose ARNs are all unchanged keeps them all (nothing narrows it).
 */
export function narrowToChanged(
  failures: readonly EncodeFailure[],
  previous: Readonly<Record<string, string>>,
  versions: ReadonlyMap<string, number | undefined>,
): EncodeFailure[] {
  const changed = (arn: string) => {
    const entry = parseJson<TranslationEntry>(previous[arn]);
    return entry === undefined || entry.s !== undefined || entry.v !== versions.get(arn);
  };
  return failures.map((f) => {
    const narrowed = f.arns.filter(changed);
    return narrowed.length > 0 && narrowed.length < f.arns.length ? { ...f, arns: narrowed } : f;
  });
}

function hasFailure(manifest: ViewManifest): boolean {
  return RESOURCE_KINDS.some((kind) => Object.values(manifest[kind]).some((h) => h.startsWith(FAILED_PREFIX)));
}

/** The ARNs behind a resource: those in its metadata (its own, or nested: a route configuration's routes), else its view's proxy, else the mesh. */
export function arnsBehind(resource: object, viewName: string, meshArn: string): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const arn = (value as { filter_metadata?: { meshplane?: { arn?: unknown } } }).filter_metadata?.meshplane?.arn;
    if (typeof arn === 'string' && (arn === meshArn || arn.startsWith(`${meshArn}/`))) found.add(arn);
    Object.values(value).forEach(walk);
  };
  walk(resource);
  if (found.size > 0) return [...found];
  return [viewArn(meshArn, viewName) ?? meshArn];
}
