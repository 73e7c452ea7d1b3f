import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { GithubError } from "./github/errors";
import { ApiError } from "./lib/errors";
import { textRule } from "./lib/validator";
import { authRoutes } from "./routes/auth";
import { digestRoutes } from "./routes/digest";
import { exportRoutes } from "./routes/export";
import { feedRoutes, feedsRoutes } from "./routes/feeds";
import { healthRoutes } from "./routes/health";
import { listsRoutes } from "./routes/lists";
import { mcpRoutes } from "./routes/mcp";
import { meRoutes } from "./routes/me";
import { repositoriesRoutes } from "./routes/repositories";
import { searchRoutes } from "./routes/search";
import { settingsRoutes } from "./routes/settings";
import { syncRoutes, syncTriggerRoutes } from "./routes/sync";
import { unstarRoutes } from "./routes/unstar";
import { tagsRoutes } from "./routes/tags";
import { servicesMiddleware } from "./services";

const app = new Hono<AppEnv>();

// Every answer is one user's data (or says something about their session): no browser,
// proxy or extension cache may keep it, and no browser may sniff a JSON or CSV body into
// HTML. First in the chain, so errors, 404s and CORS preflights get it too. A route that
// needs other caching says so itself (SSE: `no-cache`, which proxies read as "do not
// buffer"). A 101 answer carries the WebSocket and is passed on untouched.
app.use(async (c, next) => {
  await next();
  if (c.res.status === 101) return;
  c.header("X-Content-Type-Options", "nosniff");
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});

// Clients authenticate with a bearer token, never cookies, so any origin (the extension's
// chrome-extension:// or moz-extension:// page) may call the API.
app.use(
  cors({
    origin: "*",
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
    exposeHeaders: ["Content-Disposition"],
    maxAge: 86_400,
  }),
);
app.use(
  bodyLimit({
    maxSize: 1024 * 1024,
    onError: () => {
      throw new ApiError("payload_too_large", "The request body is larger than 1 MiB");
    },
  }),
);
app.use(textRule);
app.use(servicesMiddleware);

// The map of the API (docs/architecture.md, habit 2): one sub-app per resource.
const routes = app
  .route("/", healthRoutes)
  .route("/api/auth", authRoutes)
  .route("/api/me", meRoutes)
  .route("/api/settings", settingsRoutes)
  .route("/api/repositories/sync", syncTriggerRoutes)
  .route("/api/sync", syncRoutes)
  .route("/api/repositories", repositoriesRoutes)
  .route("/api/tags", tagsRoutes)
  .route("/api/search", searchRoutes)
  .route("/api/export", exportRoutes)
  .route("/api/digest", digestRoutes)
  .route("/api/unstar", unstarRoutes)
  .route("/api/feeds", feedsRoutes)
  .route("/feed", feedRoutes)
  .route("/api/lists", listsRoutes)
  .route("/mcp", mcpRoutes);

app.notFound((c) => c.json(new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`).toJSON(), 404));

app.onError((err, c) => {
  const error = toApiError(err);
  if (error.status >= 500) console.error(`${c.req.method} ${c.req.path} failed:`, err);
  // What GitHub said stays here: the client gets the code and our own message.
  else if (err instanceof GithubError)
    console.warn(`${c.req.method} ${c.req.path}: GitHub (${err.kind}, HTTP ${err.status}):`, err.message);
  if (error.retryAfterSeconds !== null) c.header("Retry-After", String(error.retryAfterSeconds));
  return c.json(error.toJSON(), error.status);
});

/** Every failure leaves as one of the codes in shared/errors.ts. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof GithubError) return err.toApiError();
  if (err instanceof HTTPException) {
    if (err.status === 400) return new ApiError("bad_request", err.message || "Bad request");
    if (err.status === 401) return new ApiError("unauthorized", err.message || "Unauthorized");
    if (err.status === 404) return new ApiError("not_found", err.message || "Not found");
    if (err.status === 413) return new ApiError("payload_too_large", err.message || "Payload too large");
  }
  return new ApiError("internal_error", "Something went wrong on our side; nothing was lost — please retry", {
    cause: err,
  });
}

export { app };
export type AppType = typeof routes;
