import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { handleMessages, MessageError, sendMessage, type MessageHandlers } from "./messaging";

const status = {
  connected: true,
  login: "octocat",
  workerUrl: "http://127.0.0.1:8787",
  language: "auto" as const,
  autoSync: true,
};
const syncState = {
  running: true,
  runId: "run-1",
  progress: null,
  lastResult: null,
  lastSyncedAt: null,
  nextSyncAt: null,
};

const unused = async (): Promise<never> => {
  throw new Error("not used by this test");
};

function handlers(overrides: Partial<MessageHandlers> = {}): MessageHandlers {
  return {
    getStatus: async () => status,
    startSync: async () => syncState,
    signIn: unused,
    signOut: unused,
    deleteAccount: unused,
    checkWorker: unused,
    setPreferences: unused,
    getSyncState: unused,
    lookup: unused,
    saveRepository: unused,
    updateRepository: unused,
    similar: unused,
    search: unused,
    facets: unused,
    lists: unused,
    createList: unused,
    updateList: unused,
    digest: unused,
    unstarState: unused,
    unstarPreview: unused,
    startUnstar: unused,
    unstarRunAction: unused,
    tags: unused,
    tagProposals: unused,
    dismissProposal: unused,
    tagOperation: unused,
    undoTagOperation: unused,
    setWatch: unused,
    feeds: unused,
    createFeed: unused,
    revokeFeed: unused,
    getCatalog: unused,
    siteAccess: unused,
    getAccount: unused,
    getSettings: unused,
    saveChatProvider: unused,
    testChatProvider: unused,
    languageCost: unused,
    ...overrides,
  };
}

describe("message protocol", () => {
  let stop: (() => void) | undefined;

  beforeEach(() => {
    fakeBrowser.reset();
  });
  afterEach(() => {
    stop?.();
    stop = undefined;
  });

  it("delivers a typed answer from the handler", async () => {
    stop = handleMessages(handlers());
    await expect(sendMessage("getStatus")).resolves.toEqual(status);
    await expect(sendMessage("startSync")).resolves.toEqual(syncState);
  });

  it("accepts a payload-less message however the browser serialised it", async () => {
    stop = handleMessages(handlers());
    // Chrome drops `data: undefined` on the way; fakeBrowser keeps the key.
    for (const message of [{ type: "getStatus" }, { type: "getStatus", data: undefined }]) {
      await expect(fakeBrowser.runtime.sendMessage(message)).resolves.toEqual({ ok: true, value: status });
    }
  });

  it("turns a MessageError into the same code on the sending side", async () => {
    stop = handleMessages(
      handlers({
        startSync: async () => {
          throw new MessageError("not_connected", "Connect first.");
        },
      }),
    );
    const error = await sendMessage("startSync").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageError);
    expect(error).toMatchObject({ code: "not_connected", message: "Connect first." });
  });

  it("reports an unexpected failure as internal, and logs it", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    stop = handleMessages(
      handlers({
        getStatus: async () => {
          throw new TypeError("boom");
        },
      }),
    );
    await expect(sendMessage("getStatus")).rejects.toMatchObject({ code: "internal", message: "boom" });
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
  });

  it("rejects unknown types and malformed payloads without calling a handler", async () => {
    const getStatus = vi.fn(async () => status);
    stop = handleMessages(handlers({ getStatus }));
    for (const message of [{ type: "deleteEverything" }, "getStatus", null, { type: "getStatus", data: { x: 1 } }]) {
      await expect(fakeBrowser.runtime.sendMessage(message)).resolves.toMatchObject({
        ok: false,
        error: { code: "bad_message" },
      });
    }
    expect(getStatus).not.toHaveBeenCalled();
  });

  it("refuses an answer that does not match the protocol", async () => {
    stop = handleMessages(
      // A handler that breaks its contract (as a stale background might).
      handlers({ getStatus: async () => ({ connected: "yes" }) as never }),
    );
    await expect(sendMessage("getStatus")).rejects.toMatchObject({ code: "bad_message" });
  });
});
