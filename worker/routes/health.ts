import { Hono } from "hono";
import { version } from "../../package.json";
import type { AppEnv } from "../env";

export const healthRoutes = new Hono<AppEnv>().get("/health", (c) => c.json({ ok: true as const, version }, 200));
