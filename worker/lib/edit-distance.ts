/**
 * Whether `b` is `a` with at most one edit: a letter inserted, deleted or replaced, or, with
 * `transpose`, two neighbours swapped (Damerau: `ripgerp` is one edit from `ripgrep`). Equal strings
 * are zero edits apart: true. Linear, no table: the strings differ in length by at most one.
 */
export function oneEditApart(a: string, b: string, options: { transpose?: boolean } = {}): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (
      options.transpose &&
      a.length === b.length &&
      a[i] === b[j + 1] &&
      a[i + 1] === b[j] &&
      a.slice(i + 2) === b.slice(j + 2)
    )
      return true;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
