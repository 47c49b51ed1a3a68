/**
 * OpenTelemetry spans through `@opentelemetry/api` when the host application has it installed (an
 * optional peer dependency): one span per facade call, and one per `wait()` of the operations it
 * returns. Without the package, or with tracing off, calls run as they are.
 */
import { isEntitlementError } from '../core/errors.ts';

type Api = typeof import('@opentelemetry/api');

let api: Promise<Api | undefined> | undefined;

function loadApi(): Promise<Api | undefined> {
  api ??= import('@opentelemetry/api').catch(() => undefined);
  return api;
}

interface Waitable {
  wait?: (...args: never[]) => Promise<unknown>;
  token?: string;
}

export async function withTracing<T>(
  enabled: boolean,
  operation: string,
  vendor: string,
  call: () => Promise<T>,
): Promise<T> {
  const otel = enabled ? await loadApi() : undefined;
  if (!otel) return call();
  const tracer = otel.trace.getTracer('entitlement-provisioner');
  const run = <R>(name: string, fn: () => Promise<R>): Promise<R> =>
    tracer.startActiveSpan(name, { attributes: { 'entitlement.vendor': vendor } }, async (span) => {
      try {
        const result = await fn();
        span.setStatus({ code: otel.SpanStatusCode.OK });
        return result;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: (error as Error)?.message });
        if (isEntitlementError(error)) span.setAttribute('entitlement.error_kind', error.kind);
        throw error;
      } finally {
        span.end();
      }
    });
  const result = await run(`entitlements.${operation}`, call);
  const handle = result as T & Waitable;
  if (typeof handle?.wait === 'function') {
    const wait = handle.wait.bind(handle);
    Object.defineProperty(handle, 'wait', {
      value: (...args: never[]) => run('entitlements.wait', () => wait(...args)),
      configurable: true,
    });
  }
  return result;
}
