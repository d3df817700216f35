import { Global, Injectable, Logger, Module } from '@nestjs/common';
import {
  RESOURCE_TRANSLATION,
  type ResourceTranslationReader,
  type ResourceTranslationStatus,
} from '../../meshes/resources/resource-translation.js';
import { CompiledStore } from '../cache/compiled-store.js';

/** Longest a Describe waits for the translation status; Redis answers in well under 1 ms. */
const READ_TIMEOUT_MS = 500;

/**
 * Reads a resource's translation status from the latest compile's record in Redis (one HMGET of
 * two fields, keyed by tenant and mesh: a tenant only ever reads its own meshes' records).
 */
@Injectable()
export class CompiledTranslationReader implements ResourceTranslationReader {
  private readonly log = new Logger(CompiledTranslationReader.name);

  constructor(private readonly store: CompiledStore) {}

  async statusOf(
    tenantId: string,
    meshId: string,
    arn: string,
    version: number,
  ): Promise<ResourceTranslationStatus | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const { entry, summary } = await Promise.race([
        this.store.translationOf({ tenantId, meshId }, arn),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
        }),
      ]);
      // No record: the mesh has not been compiled (since records exist). Nothing to tell.
      if (!summary) return undefined;
      // Not in the latest compile, or that compile read another version: this one is not compiled yet.
      if (!entry || (entry.v !== undefined && entry.v !== version)) return { translation: 'PENDING' };
      return {
        translation: entry.s ?? 'OK',
        ...(entry.r !== undefined ? { reason: entry.r } : {}),
        generation: summary.generation,
      };
    } catch (err) {
      this.log.warn(`translation status of ${arn}: ${(err as Error).message}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Provides the resource model's ResourceTranslationReader port (global: MeshesModule does not import the xDS fleet). */
@Global()
@Module({
  providers: [CompiledStore, { provide: RESOURCE_TRANSLATION, useClass: CompiledTranslationReader }],
  exports: [RESOURCE_TRANSLATION],
})
export class ResourceTranslationModule {}
