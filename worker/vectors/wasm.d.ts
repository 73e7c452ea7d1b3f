// A `.wasm` import is a compiled module: wrangler and the Workers vitest pool bundle it
// (wrangler's default CompiledWasm rule), workerd compiles it at upload.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
