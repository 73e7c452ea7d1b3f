import { describe, expect, it } from "vitest";
import { SyncStatus } from "../../shared/events";
import { RepositoryList } from "../../shared/repositories";
import { aiUrl, api, emulatorControl, signIn } from "../test/helpers";
import { controlPost, doneOf, fastWorkflows, syncOnce } from "../test/sync-helpers";

// Enrichment inside the sync Workflow: analyse, openrank and embed as their own steps, with
// progress, counts in the run's stats, and an AI provider that is down never failing the sync.

async function useModel(sessionToken: string, model: string) {
  await emulatorControl("ai", "POST", "config", { chatModels: ["*"] });
  const response = await api(sessionToken).api.settings.$put({
    json: { chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1`, model, apiKey: "sk-emulator" } },
  });
  expect(response.status).toBe(200);
}

async function modelRequests(model: string): Promise<number> {
  const stats = (await emulatorControl("ai", "GET", "stats")) as { models: Record<string, { requests: number }> };
  return stats.models[model]?.requests ?? 0;
}

describe("sync: enrichment", () => {
  it("analyses, ranks and embeds the library in the sync; a resync makes no AI or OpenDigger call", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("enrich-sync", 12);
    await useModel(sessionToken, "enrich-sync-model");
    const events = await syncOnce(sessionToken);
    const done = doneOf(events);
    const phases = events.filter((e) => e.event === "progress").map((e) => e.data.phase);
    expect(phases).toEqual(expect.arrayContaining(["analyzing", "saving", "openrank", "embedding"]));
    expect(phases.indexOf("analyzing")).toBeLessThan(phases.indexOf("openrank"));
    expect(phases.indexOf("openrank")).toBeLessThan(phases.indexOf("embedding"));
    const named = events.find((e) => e.event === "progress" && e.data.phase === "analyzing" && e.data.current !== "");
    expect(named, "an analyzing event names the repository").toBeDefined();

    const enrichment = done.stats.enrichment!;
    expect(enrichment.analysed + enrichment.reused).toBe(12);
    expect(enrichment).toMatchObject({ failed: 0, pending: 0 });
    expect(enrichment.chatCalls).toBe(await modelRequests("enrich-sync-model"));
    expect(enrichment.openrank).toBeGreaterThan(0);

    const list = RepositoryList.parse(await (await api(sessionToken).api.repositories.$get({ query: {} })).json());
    expect(list.items).toHaveLength(12);
    for (const item of list.items) {
      expect(item.aiSummary, item.fullName).toBeTruthy();
      expect(item.aiTags.length, item.fullName).toBeGreaterThan(0);
    }
    expect(list.items.some((item) => item.openrankPeriod === "2026Q3")).toBe(true);

    const before = await modelRequests("enrich-sync-model");
    const again = doneOf(await syncOnce(sessionToken)).stats.enrichment!;
    expect(again).toMatchObject({ analysed: 0, reused: 0, chatCalls: 0, opendiggerRequests: 0, embeddingRequests: 0 });
    expect(await modelRequests("enrich-sync-model")).toBe(before);
  });

  it("an AI provider that is down leaves the analyses for the next sync; the sync itself finishes", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("enrich-down", 6);
    await useModel(sessionToken, "enrich-down-model");
    await emulatorControl("ai", "POST", "faults", {
      route: "POST /v1/chat/completions",
      model: "enrich-down-model",
      status: 503,
    });
    let first: ReturnType<typeof doneOf>;
    try {
      first = doneOf(await syncOnce(sessionToken));
    } finally {
      await emulatorControl("ai", "DELETE", "faults");
    }
    expect(first.total).toBe(6);
    expect(first.stats.enrichment).toMatchObject({ analysed: 0, failed: 0, pending: 6 });
    // Why: the provider's own words, with what it left, in the run's stats.
    expect(first.stats.enrichment!.stops).toEqual([
      expect.objectContaining({ phase: "analyse", code: "ai_unreachable", pending: 6, failed: 0 }),
    ]);
    const second = doneOf(await syncOnce(sessionToken));
    expect(second.stats.enrichment!.analysed + second.stats.enrichment!.reused).toBe(6);
    expect(second.stats.enrichment!.pending).toBe(0);
  });

  it("a rejected API key is named in the run's stats and in the sync status, with the provider's words", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("enrich-bad-key", 5);
    await emulatorControl("ai", "POST", "config", { chatModels: ["*"] });
    const response = await api(sessionToken).api.settings.$put({
      json: {
        chatProvider: {
          kind: "openai-compatible",
          baseUrl: `${aiUrl()}/v1`,
          model: "bad-key-model",
          apiKey: "sk-wrong-key-1234",
        },
      },
    });
    expect(response.status).toBe(200);
    const done = doneOf(await syncOnce(sessionToken));
    const enrichment = done.stats.enrichment!;
    // The first answer stops the phase: only the calls already in flight (at most 5) were made.
    expect(enrichment).toMatchObject({ analysed: 0, failed: 0, pending: 5 });
    expect(enrichment.chatCalls).toBeLessThanOrEqual(5);
    expect(enrichment.stops).toEqual([
      {
        phase: "analyse",
        code: "ai_key_rejected",
        message: expect.stringMatching(/^HTTP 401: Incorrect API key provided: sk-\*+1234\./),
        pending: 5,
        failed: 0,
      },
    ]);
    const status = SyncStatus.parse(await (await api(sessionToken).api.sync.status.$get()).json());
    expect(status.lastResult?.ok && status.lastResult.stats.enrichment?.stops?.[0]?.code).toBe("ai_key_rejected");
  });

  it("a provider's rate limit is said as a wait with its time; waits used up, the stop says until when", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("enrich-rate-limited", 3);
    await useModel(sessionToken, "enrich-limited-model");
    await emulatorControl("ai", "POST", "faults", {
      route: "POST /v1/chat/completions",
      model: "enrich-limited-model",
      status: 429,
      headers: { "retry-after": "120" },
    });
    let events: Awaited<ReturnType<typeof syncOnce>>;
    try {
      events = await syncOnce(sessionToken);
    } finally {
      await emulatorControl("ai", "DELETE", "faults");
    }
    const waits = events.flatMap((e) => (e.event === "progress" && e.data.wait ? [e.data] : []));
    expect(waits.length).toBeGreaterThan(0);
    expect(waits[0]).toMatchObject({ phase: "analyzing", wait: { for: "ai" } });
    const enrichment = doneOf(events).stats.enrichment!;
    expect(enrichment).toMatchObject({ analysed: 0, pending: 3 });
    expect(enrichment.stops).toEqual([
      expect.objectContaining({ phase: "analyse", code: "ai_rate_limited", until: expect.any(Number), pending: 3 }),
    ]);
  });

  it("OpenDigger down: the run's stats say OpenRank waits, and why", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("enrich-od-down", 0);
    await useModel(sessionToken, "enrich-od-model");
    // Repositories of their own (OpenRank is global: the universe's were fetched by other tests), and
    // faults scoped to them (other test files share the emulator).
    const names = Array.from({ length: 12 }, (_, i) => `od-down-${i}/repo`);
    for (const fullName of names) await controlPost("star", { login: "enrich-od-down", fullName });
    await emulatorControl(
      "opendigger",
      "POST",
      "faults",
      names.map((repo) => ({ repo, status: 503 })),
    );
    let done: ReturnType<typeof doneOf>;
    try {
      done = doneOf(await syncOnce(sessionToken));
    } finally {
      await emulatorControl("opendigger", "DELETE", "faults");
    }
    const stop = done.stats.enrichment!.stops?.find((s) => s.phase === "openrank");
    expect(stop).toMatchObject({ code: "opendigger_unavailable", message: expect.stringMatching(/in a row/) });
    expect(stop!.pending + stop!.failed).toBe(12);
  });
});
