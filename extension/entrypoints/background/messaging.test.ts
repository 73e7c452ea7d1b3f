import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { sendMessage } from "@/lib/messaging";
import { connectionItem } from "@/lib/storage";
import { setUpMessaging } from "./messaging";

describe("background messaging", () => {
  let stop: () => void;

  beforeEach(() => {
    fakeBrowser.reset();
    stop = setUpMessaging();
  });
  afterEach(() => stop());

  it("getStatus reports a fresh install as not connected", async () => {
    await expect(sendMessage("getStatus")).resolves.toEqual({
      connected: false,
      login: null,
      workerUrl: "http://127.0.0.1:8787",
    });
  });

  it("getStatus reports the stored connection without the session token", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "secret", login: "octocat" });
    const status = await sendMessage("getStatus");
    expect(status).toEqual({ connected: true, login: "octocat", workerUrl: "https://sw.example.dev" });
    expect(JSON.stringify(status)).not.toContain("secret");
  });

  it("startSync needs a connection", async () => {
    await expect(sendMessage("startSync")).rejects.toMatchObject({ code: "not_connected" });
  });

  // Placeholder until the sync issue wires the Worker in; flip this test then.
  it("startSync says plainly that it is not implemented yet", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "secret", login: "octocat" });
    await expect(sendMessage("startSync")).rejects.toMatchObject({ code: "not_implemented" });
  });
});
