// What the worker tests' globalSetup (Node) provides to the tests (workerd).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    githubUrl: string;
  }
}
