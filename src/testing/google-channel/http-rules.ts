/**
 * The REST routes of the emulated services: the `google.api.http` rules generated from the protos
 * (gRPC transcoding path templates), so regenerating is all a new route takes. Supported template syntax: literal segments, `{var}`, `{var=pattern}` with `*`
 * (one segment) and `**` (one or more segments), and a trailing `:verb`.
 */
import {
  CloudChannelService_HTTP_RULES,
  HttpRule_PATTERNS,
  Operations_HTTP_RULES,
} from '../../../generated/google/channel.ts';
import { CHANNEL_SERVICE, lookupService, OPERATIONS_SERVICE } from './descriptor.ts';

/** One HTTP rule of one method. */
export interface HttpRoute {
  /** Fully-qualified service name. */
  readonly service: string;
  /** Method name, e.g. `CreateEntitlement`. */
  readonly method: string;
  /** Upper-case HTTP method. */
  readonly httpMethod: string;
  /** The path template, e.g. `/v1/{parent=accounts/*\/customers/*}/entitlements`. */
  readonly template: string;
  /** The `body` of the rule: `*` (the whole request), a field name, or `undefined` (no body). */
  readonly body: string | undefined;
  readonly regex: RegExp;
  /** The request fields bound by the path, in the order of the regex's groups. */
  readonly variables: readonly string[];
}

/** The generated rules of each emulated service. */
const RULES: readonly (readonly [string, readonly Readonly<Record<string, string>>[]])[] = [
  [CHANNEL_SERVICE, CloudChannelService_HTTP_RULES],
  [OPERATIONS_SERVICE, Operations_HTTP_RULES],
];

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regex source of a variable's pattern (`accounts/*`, `operations/**`, ...). */
function patternSource(pattern: string): string {
  return pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') return '[^/]+';
      if (segment === '**') return '[^/]+(?:/[^/]+)*';
      return escapeRegex(segment);
    })
    .join('/');
}

/** Compiles a path template to an anchored regex with one capture group per variable. */
export function compileTemplate(template: string): { regex: RegExp; variables: string[] } {
  const variables: string[] = [];
  let source = '';
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open === -1) {
      source += escapeRegex(rest);
      break;
    }
    source += escapeRegex(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    if (close === -1) throw new Error(`unbalanced braces in path template ${template}`);
    const [name = '', pattern = '*'] = rest.slice(open + 1, close).split('=', 2);
    variables.push(name);
    source += `(${patternSource(pattern)})`;
    rest = rest.slice(close + 1);
  }
  return { regex: new RegExp(`^${source}$`), variables };
}

/** Every HTTP rule of the emulated services' methods (those the descriptor has). */
export function httpRoutes(): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const [serviceName, rules] of RULES) {
    const service = lookupService(serviceName);
    if (!service) continue;
    for (const rule of rules) {
      const method = (rule.selector ?? '').slice(serviceName.length + 1);
      if (!service.methods[method]) continue;
      for (const verb of HttpRule_PATTERNS) {
        const template = rule[verb];
        if (typeof template !== 'string') continue;
        const { regex, variables } = compileTemplate(template);
        routes.push({
          service: serviceName,
          method,
          httpMethod: verb.toUpperCase(),
          template,
          body: typeof rule.body === 'string' ? rule.body : undefined,
          regex,
          variables,
        });
      }
    }
  }
  return routes;
}

/** Decodes a captured path value segment by segment (so an encoded `/` stays inside its segment). */
function decodeCapture(value: string): string {
  return value
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/');
}

export type RouteMatch =
  | { kind: 'route'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'not-found' };

/** The route of a request: the first rule whose method and template match the raw path. */
export function matchRoute(routes: readonly HttpRoute[], httpMethod: string, rawPath: string): RouteMatch {
  for (const route of routes) {
    if (route.httpMethod !== httpMethod) continue;
    const match = route.regex.exec(rawPath);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      route.variables.forEach((name, index) => {
        params[name] = decodeCapture(match[index + 1] ?? '');
      });
    } catch {
      continue; // malformed percent-encoding: no route
    }
    return { kind: 'route', route, params };
  }
  return { kind: 'not-found' };
}
