import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import type { Bindings } from "../env";

export type SyncParams = { userId: number; trigger: "manual" | "auto" };

/**
 * One instance per sync run (DESIGN §5). The steps (list → diff → readmes → upsert →
 * analyse → openrank → embed → finish) are built by the sync engine issue; until then no
 * route creates instances of this class, which exists so the binding can be declared.
 */
export class SyncWorkflow extends WorkflowEntrypoint<Bindings, SyncParams> {
  override async run(event: WorkflowEvent<SyncParams>, step: WorkflowStep): Promise<void> {
    await step.do("start", async () => ({ userId: event.payload.userId }));
  }
}
