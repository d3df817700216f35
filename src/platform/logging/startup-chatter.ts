import type { LoggerService } from '@nestjs/common';

/**
 * Nest's own start-up lines: one per module initialised, per controller and per mapped route
 * (about a hundred for the api role). They say nothing an operator acts on, and at info level
 * they buried `npm start`'s banner; they are logged at debug (`LOG_LEVEL=debug` shows them).
 */
export const STARTUP_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  // @nestjs/graphql's "Mapped {/graphql, POST} route".
  'GraphQLModule',
]);

/**
 * The application logger as Nest's core sees it: Nest's start-up lines (by their context, which
 * Nest passes last) go to debug; everything else passes through unchanged.
 */
export class StartupChatterAtDebug implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params.at(-1);
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) this.debug(message, ...params);
    else this.inner.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.inner.fatal ?? this.inner.error).call(this.inner, message, ...params);
  }
}
