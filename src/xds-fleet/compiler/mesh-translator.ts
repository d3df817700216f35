import { Injectable } from '@nestjs/common';
import { encodeResourceAny } from '../encoding/wire.js';
import { translate, type TranslationResult } from '../translator/translate.js';

/**
 * The translator and the encoder as the compiler's collaborators: the pure functions they wrap
 * hold every rule, these only give the compiler seams (a test replaces one to inject a fault that
 * valid input cannot produce: a translator exception, an encoder refusal).
 */
@Injectable()
export class MeshTranslator {
  translate(...args: Parameters<typeof translate>): TranslationResult {
    return translate(...args);
  }
}

@Injectable()
export class ResourceEncoder {
  /** A translator resource (proto3-JSON shape) encoded into its `Any`; throws what the encoder refuses. */
  encode(typeUrl: string, resource: object): Uint8Array {
    return encodeResourceAny(typeUrl, resource);
  }
}
