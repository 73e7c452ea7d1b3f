import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { StarWrite, UnstarPreview, UnstarRun, UnstarState } from "../../../shared/unstar";
import { fakeWorker } from "@/test/fake-worker";
import { closePage, openPage, type TestPage } from "@/test/page";
import { useChinese } from "@/test/i18n";
import { SelectBox, UnstarBar, useSelection } from "./unstar";

const HOSTILE = "<img src=x onerror=alert(1)>";
const ALLOWED: StarWrite = {
  state: "allowed",
  token: "classic",
  scopes: "public_repo",
  privateRepositories: false,
  refusedAt: null,
};
const MISSING: StarWrite = { ...ALLOWED, state: "missing", scopes: "read:user" };
const IDLE_STATUS = {
  running: false,
  runId: null,
  phase: null,
  progress: null,
  lastSyncedAt: null,
  nextSyncAt: null,
  lastResult: null,
  library: { stars: 2, readmesPending: 0, analysed: 0, embedded: 0 },
};
const RUN: UnstarRun = {
  id: "7b0c1c4e-0000-4000-8000-000000000001",
  action: "unstar",
  undoes: null,
  status: "done",
  total: 2,
  counts: { pending: 0, done: 2, missing: 0, failed: 0 },
  createdAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
  error: null,
  undoneBy: null,
  undoable: true,
  items: [],
};

function Harness() {
  const selection = useSelection();
  return (
    <div>
      <SelectBox fullName="acme/old" selection={selection} />
      <SelectBox fullName="acme/older" selection={selection} />
      <UnstarBar selection={selection} sync={null} onChanged={() => undefined} />
    </div>
  );
}

describe("the new tab's Unstar on GitHub", () => {
  let page: TestPage;
  let root: HTMLElement;
  let worker: ReturnType<typeof fakeWorker> | undefined;
  const bodies: unknown[] = [];

  beforeEach(async () => {
    bodies.length = 0;
    page = await openPage();
    root = page.root;
  });
  afterEach(() => {
    closePage(page, worker);
    worker = undefined;
  });

  const serve = (state: UnstarState, preview?: UnstarPreview) => {
    worker = fakeWorker({
      "GET /api/unstar": () => Response.json(state),
      "POST /api/unstar/preview": async (request) => {
        bodies.push(await request.json());
        return Response.json(preview);
      },
      "POST /api/unstar": async (request) => {
        bodies.push(await request.json());
        return Response.json({ run: { ...RUN, status: "running" } }, { status: 202 });
      },
      [`POST /api/unstar/${RUN.id}/undo`]: () =>
        Response.json(
          { run: { ...RUN, id: crypto.randomUUID(), action: "restar", status: "running" } },
          { status: 202 },
        ),
      "GET /api/sync/status": () => Response.json(IDLE_STATUS),
    });
  };
  const pick = async () => {
    for (const box of root.querySelectorAll<HTMLInputElement>(".unstar-select")) box.click();
    await vi.waitFor(() => expect(root.querySelector(".unstar-picked")).not.toBeNull());
  };

  it("is read-only without a token allowed to star, and says why and what fixes it, in both languages", async () => {
    serve({ starWrite: MISSING, runs: [] });
    render(<Harness />, root);
    await pick();
    const button = root.querySelector<HTMLButtonElement>(".unstar-start")!;
    expect(button.textContent).toBe("Unstar 2 on GitHub");
    await vi.waitFor(() => expect(button.disabled).toBe(true));
    expect(root.querySelector(".unstar-why")?.textContent).toContain("scopes (read:user) do not allow starring");
    expect(root.querySelector(".unstar-why")?.textContent).toContain("public_repo");

    render(null, root);
    useChinese();
    render(<Harness />, root);
    await pick();
    await vi.waitFor(() => expect(root.querySelector(".unstar-why")?.textContent).toContain("public_repo"));
    expect(root.querySelector(".unstar-why")?.textContent).toContain("取消星标不可用");
  });

  it("confirms with what will happen (names as text), then starts the run with exactly the picked names", async () => {
    const preview: UnstarPreview = {
      starWrite: ALLOWED,
      total: 2,
      items: [
        { fullName: "acme/old", isPrivate: false, archived: true, gone: false, hasNotes: true, tags: ["keep"] },
        { fullName: HOSTILE, isPrivate: false, archived: false, gone: false, hasNotes: false, tags: [] },
      ],
      notInLibrary: [],
      privateRefused: [],
    };
    serve({ starWrite: ALLOWED, runs: [] }, preview);
    render(<Harness />, root);
    await pick();
    root.querySelector<HTMLButtonElement>(".unstar-start")!.click();
    await vi.waitFor(() => expect(root.querySelector("[role=dialog]")).not.toBeNull());
    const dialog = root.querySelector("[role=dialog]")!;
    expect(dialog.querySelector("h2")?.textContent).toBe("Unstar 2 repositories on GitHub?");
    expect(dialog.textContent).toContain(HOSTILE);
    expect(dialog.querySelector("img")).toBeNull();
    expect(dialog.textContent).toContain("the notes and tags of 1 of them stay");
    expect(dialog.textContent).toContain("GitHub dates a re-star today");
    expect(bodies).toEqual([{ selection: { names: ["acme/old", "acme/older"] } }]);

    dialog.querySelector<HTMLButtonElement>("button.confirm")!.click();
    await vi.waitFor(() => expect(root.querySelector("[role=dialog]")).toBeNull());
    expect(bodies[1]).toEqual({ selection: { names: ["acme/old", "acme/older"] } });
    expect(worker!.requests).toContain("POST /api/unstar");
    // The selection is cleared once the run started.
    expect([...root.querySelectorAll<HTMLInputElement>(".unstar-select")].some((box) => box.checked)).toBe(false);
  });

  it("shows the last run's outcome with Undo, which asks the Worker to star them again", async () => {
    serve({ starWrite: ALLOWED, runs: [RUN] });
    render(<Harness />, root);
    await vi.waitFor(() => expect(root.querySelector(".unstar-outcome")).not.toBeNull());
    expect(root.querySelector(".unstar-outcome p")?.textContent).toBe("Unstarred 2 on GitHub.");
    const undo = root.querySelector<HTMLButtonElement>(".unstar-undo")!;
    expect(undo.textContent).toBe("Undo (star 2 again)");
    undo.click();
    await vi.waitFor(() => expect(worker!.requests).toContain(`POST /api/unstar/${RUN.id}/undo`));
  });
});
