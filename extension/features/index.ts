import type { Feature } from "@/github/feature-manager";
import listChips from "./list-chips";
import repoBadge from "./repo-badge";
import starPopover from "./star-popover";

/** The map of the content script (docs/architecture.md, habit 2): every github.com feature, one file each. */
export const features: Feature[] = [repoBadge, listChips, starPopover];
