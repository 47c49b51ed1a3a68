/**
 * Preloaded (`node --import`) by options.test.ts into a child process: module resolution there
 * cannot find bullmq or ioredis, as in an application that did not install them.
 */
import { registerHooks } from 'node:module';

const HIDDEN = new Set((process.env.HIDE_PACKAGES ?? 'bullmq,ioredis').split(','));

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (HIDDEN.has(specifier)) {
      const error = new Error(
        `Cannot find package '${specifier}' imported from ${context.parentURL ?? 'the entry point'}`,
      );
      Object.assign(error, { code: 'ERR_MODULE_NOT_FOUND' });
      throw error;
    }
    return nextResolve(specifier, context);
  },
});
