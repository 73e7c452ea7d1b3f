// The bytes of worker/vectors/dot.wasm, assembled here because the project has no WebAssembly
// toolchain and the module is 30 instructions. The Worker imports the .wasm file (workerd
// refuses to compile WebAssembly from bytes at run time, so the module must be part of the
// upload); worker/vectors/dot.test.ts runs the file. After a change: `node
// worker/vectors/dot-wasm.ts` writes it again; `--check` only says whether it is current.
//
// The module, as text (https://webassembly.github.io/spec/core/text/):
//
//   (module
//     (memory (export "memory") 0)
//     ;; out[v] = Σ codes[v·stride + d] × query[d] over d < stride, for v < n: int8 codes,
//     ;; int16 query, int32 sums — exact while 127 × max|query| × stride < 2³¹, which the
//     ;; caller keeps (worker/vectors/dot.ts). stride is a multiple of 16 (codes padded with
//     ;; zeros), n ≥ 1.
//     (func (export "dots") (param $codes i32) (param $n i32) (param $stride i32) (param $query i32) (param $out i32)
//       (local $v i32) (local $d i32) (local $row i32) (local $acc v128) (local $c v128)
//       (local.set $row (local.get $codes))
//       (loop $vectors
//         (local.set $acc (v128.const i32x4 0 0 0 0))
//         (local.set $d (i32.const 0))
//         (loop $dims
//           (local.set $c (v128.load (i32.add (local.get $row) (local.get $d))))
//           (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s
//             (i16x8.extend_low_i8x16_s (local.get $c))
//             (v128.load offset=0 (i32.add (local.get $query) (i32.shl (local.get $d) (i32.const 1)))))))
//           (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s
//             (i16x8.extend_high_i8x16_s (local.get $c))
//             (v128.load offset=16 (i32.add (local.get $query) (i32.shl (local.get $d) (i32.const 1)))))))
//           (br_if $dims (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 16))) (local.get $stride))))
//         (i32.store (i32.add (local.get $out) (i32.shl (local.get $v) (i32.const 2)))
//           (i32.add (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
//                    (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
//         (local.set $row (i32.add (local.get $row) (local.get $stride)))
//         (br_if $vectors (i32.lt_u (local.tee $v (i32.add (local.get $v) (i32.const 1))) (local.get $n))))))
//
// SIMD (fixed-width, part of WebAssembly 2.0) is on in V8 and so in workerd: 16 dimensions
// an instruction group instead of one multiply-add each in JavaScript.

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128, the binary format's integers. */
function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const name = (text: string) => vector([...new TextEncoder().encode(text)].map((byte) => [byte]));
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...leb(opcode), ...immediates];

// Locals: params 0–4, then $v 5, $d 6, $row 7 (i32), $acc 8, $c 9 (v128).
const [codes, n, stride, query, out, v, d, row, acc, c] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const i32 = (value: number) => [0x41, value]; // only 0–63 here: one byte of signed LEB128
const [add, shl, ltU] = [[0x6a], [0x74], [0x49]];
const load = (offset: number) => simd(0x00, 0, ...leb(offset)); // v128.load, alignment hint 1 byte
const queryAt = (offset: number) => [...get(query), ...get(d), ...i32(1), ...shl, ...add, ...load(offset)];
const accumulate = (extend: number, offset: number) => [
  ...get(acc),
  ...get(c),
  ...simd(extend),
  ...queryAt(offset),
  ...simd(0xba), // i32x4.dot_i16x8_s
  ...simd(0xae), // i32x4.add
  ...set(acc),
];
const lane = (index: number) => [...get(acc), ...simd(0x1b, index)]; // i32x4.extract_lane

const body = [
  ...get(codes),
  ...set(row),
  0x03,
  0x40, // loop $vectors
  ...simd(0x0c, ...new Array<number>(16).fill(0)),
  ...set(acc), // v128.const 0
  ...i32(0),
  ...set(d),
  0x03,
  0x40, // loop $dims
  ...get(row),
  ...get(d),
  ...add,
  ...load(0),
  ...set(c),
  ...accumulate(0x87, 0), // i16x8.extend_low_i8x16_s
  ...accumulate(0x88, 16), // i16x8.extend_high_i8x16_s
  ...get(d),
  ...i32(16),
  ...add,
  ...tee(d),
  ...get(stride),
  ...ltU,
  0x0d,
  0, // br_if $dims
  0x0b, // end $dims
  ...get(out),
  ...get(v),
  ...i32(2),
  ...shl,
  ...add,
  ...lane(0),
  ...lane(1),
  ...add,
  ...lane(2),
  ...lane(3),
  ...add,
  ...add,
  0x36,
  2,
  0, // i32.store align=4 offset=0
  ...get(row),
  ...get(stride),
  ...add,
  ...set(row),
  ...get(v),
  ...i32(1),
  ...add,
  ...tee(v),
  ...get(n),
  ...ltU,
  0x0d,
  0, // br_if $vectors
  0x0b, // end $vectors
  0x0b, // end func
];
const locals = vector([
  [3, I32],
  [2, V128],
]);

/** The module's bytes. */
export function dotWasmBytes(): Uint8Array {
  const func = [...locals, ...body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0]])), // type 0: (i32 × 5) → ()
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(5, vector([[0x00, 0]])), // one memory, at least 0 pages, no maximum
    ...section(
      7,
      vector([
        [...name("memory"), 0x02, 0],
        [...name("dots"), 0x00, 0],
      ]),
    ),
    ...section(10, vector([[...leb(func.length), ...func]])),
  ]);
}

if (import.meta.main) {
  const { readFileSync, writeFileSync } = await import("node:fs");
  const file = new URL("./dot.wasm", import.meta.url);
  const bytes = dotWasmBytes();
  if (!process.argv.includes("--check")) writeFileSync(file, bytes);
  else if (!Buffer.from(bytes).equals(readFileSync(file))) {
    console.error("worker/vectors/dot.wasm is not what dot-wasm.ts assembles: run `node worker/vectors/dot-wasm.ts`");
    process.exitCode = 1;
  }
}
