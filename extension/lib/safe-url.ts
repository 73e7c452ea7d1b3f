/** A link target we are willing to render: http(s) only — never `javascript:` or `data:` from untrusted text. */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** A repository's page on github.com, whatever its stored html_url says. */
export function githubUrlOf(fullName: string): string {
  const [owner = "", name = ""] = fullName.split("/");
  return `https://github.com/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}
