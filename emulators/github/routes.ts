// Route table types and matching. A route is identified by its template ("GET /users/{username}/starred"),
// which is also the key under which the stats count it.
import type { IncomingHttpHeaders } from "node:http";
import type { EmuResponse } from "./http.ts";
import type { Bucket, Resource } from "./ratelimit.ts";
import type { EmulatorState } from "./state.ts";
import type { User } from "./users.ts";

export interface RequestContext {
  state: EmulatorState;
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  params: Record<string, string>;
  /** The authenticated user (undefined for anonymous requests). */
  user: User | undefined;
  token: string | undefined;
  /** Rate-limit identity: the user, or the client IP for anonymous requests. */
  identity: string;
  /** The budget this request draws from (undefined for free routes). */
  bucket: Bucket | undefined;
  /** The emulator's own base URL, for absolute links. */
  baseUrl: string;
  /** Other requests of the same identity in flight (they slow this one down). */
  othersInFlight: number;
  requestId: string;
}

export interface Route {
  method: string;
  template: string;
  /** Which budget the route draws from; null for free routes such as /rate_limit. */
  resource: Resource | null;
  /** "required": anonymous requests get `unauthenticated()`; "optional": anonymous requests are served. */
  auth: "required" | "optional";
  unauthenticated?: () => EmuResponse;
  handle(ctx: RequestContext): EmuResponse | Promise<EmuResponse>;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.template
        .split("/")
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(param[1] as string);
          return "([^/]+)";
        })
        .join("/");
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): RouteMatch | undefined {
    for (const { route, pattern, names } of this.compiled) {
      if (route.method !== method) continue;
      const found = pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] as string);
      });
      return { route, params };
    }
    return undefined;
  }
}
