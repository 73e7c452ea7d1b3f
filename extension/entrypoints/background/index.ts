import { defineBackground } from "wxt/utils/define-background";
import { setUpMessaging } from "./messaging";

// Thin on purpose: WXT imports this file in Node at build time, so everything
// happens inside `main`, and each concern is a `setUpX()` beside this file.
export default defineBackground(() => {
  setUpMessaging();
});
