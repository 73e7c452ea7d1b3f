// GitHub's license detection vocabulary for the SPDX expressions found in the corpus. Compound or
// unknown expressions become "other"/NOASSERTION, which is what GitHub reports for them.

export interface License {
  key: string;
  name: string;
  spdxId: string;
  /** Whether GitHub has a /licenses/{key} page for it ("other" has none, so its url is null). */
  known: boolean;
}

const KNOWN: Record<string, Omit<License, "known">> = {
  MIT: { key: "mit", name: "MIT License", spdxId: "MIT" },
  "Apache-2.0": { key: "apache-2.0", name: "Apache License 2.0", spdxId: "Apache-2.0" },
  "BSD-3-Clause": { key: "bsd-3-clause", name: 'BSD 3-Clause "New" or "Revised" License', spdxId: "BSD-3-Clause" },
  "BSD-2-Clause": { key: "bsd-2-clause", name: 'BSD 2-Clause "Simplified" License', spdxId: "BSD-2-Clause" },
  "BSD-0-Clause": { key: "0bsd", name: "BSD Zero Clause License", spdxId: "0BSD" },
  "0BSD": { key: "0bsd", name: "BSD Zero Clause License", spdxId: "0BSD" },
  ISC: { key: "isc", name: "ISC License", spdxId: "ISC" },
  "GPL-3.0": { key: "gpl-3.0", name: "GNU General Public License v3.0", spdxId: "GPL-3.0" },
  "GPL-2.0": { key: "gpl-2.0", name: "GNU General Public License v2.0", spdxId: "GPL-2.0" },
  "MPL-2.0": { key: "mpl-2.0", name: "Mozilla Public License 2.0", spdxId: "MPL-2.0" },
  "LGPL-2.1": { key: "lgpl-2.1", name: "GNU Lesser General Public License v2.1", spdxId: "LGPL-2.1" },
  "AGPL-3.0-only": { key: "agpl-3.0", name: "GNU Affero General Public License v3.0", spdxId: "AGPL-3.0" },
  "AGPL-3.0": { key: "agpl-3.0", name: "GNU Affero General Public License v3.0", spdxId: "AGPL-3.0" },
  Unlicense: { key: "unlicense", name: "The Unlicense", spdxId: "Unlicense" },
  "BlueOak-1.0.0": { key: "blueoak-1.0.0", name: "Blue Oak Model License 1.0.0", spdxId: "BlueOak-1.0.0" },
};

const OTHER: License = { key: "other", name: "Other", spdxId: "NOASSERTION", known: false };

const memo = new Map<string, License>();

export function licenseFromSpdx(spdx: string | null): License | null {
  if (!spdx) return null;
  let license = memo.get(spdx);
  if (!license) {
    const known = KNOWN[spdx];
    license = known ? { ...known, known: true } : OTHER;
    memo.set(spdx, license);
  }
  return license;
}
