import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { listProblems, textProblems } from '../../common/validation/text.js';

/**
 * Every path parameter, query value and body a controller takes with `@Param`, `@Query` or
 * `@Body` (the /v1 and /admin/v1 surfaces) is checked for text PostgreSQL cannot hold before
 * the handler runs, so an identifier like `accountId` or `tokenId` never reaches a query with a
 * NUL in it. The App Mesh surface takes the raw request and checks the same rule in its
 * model-compiled validator.
 */
@Injectable()
export class TextInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problems: string[] = [];
    textProblems(value, metadata.data ?? metadata.type, problems);
    if (problems.length > 0) throw new DomainError('BAD_REQUEST', listProblems(problems));
    return value;
  }
}
