// What the worker tests' globalSetup (Node) provides to the tests (workerd).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    githubUrl: string;
    /** The AI emulator, without `/v1`. */
    aiUrl: string;
    opendiggerUrl: string;
  }
}
