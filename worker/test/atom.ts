import { SaxesParser } from "saxes";

// A real, strict XML 1.0 parser (saxes: well-formedness as the spec states it, namespaces, the Char production)
// reading the Atom feed the way a feed reader would, into what the tests check: the feed's fields and its entries'.

export type AtomEntry = {
  id: string;
  title: string;
  updated: string;
  summary: string | null;
  link: string | null;
  category: string | null;
};

export type ParsedAtom = {
  namespace: string;
  language: string | null;
  id: string;
  title: string;
  updated: string;
  selfLink: string | null;
  entries: AtomEntry[];
};

/** Parses the document, throwing on anything that is not well-formed XML. */
export function parseAtom(xml: string): ParsedAtom {
  const parser = new SaxesParser({ xmlns: true });
  const stack: string[] = [];
  let text = "";
  let entry: Partial<AtomEntry> | null = null;
  const feed: Partial<ParsedAtom> & { entries: AtomEntry[] } = { entries: [], selfLink: null };
  parser.on("error", (error) => {
    throw error;
  });
  parser.on("opentag", (node) => {
    stack.push(node.local);
    text = "";
    const attribute = (name: string) => node.attributes[name]?.value ?? null;
    if (stack.length === 1) {
      feed.namespace = node.uri;
      feed.language = attribute("xml:lang");
    } else if (node.local === "entry") {
      entry = { summary: null, link: null, category: null };
    } else if (node.local === "link" && entry) {
      entry.link = attribute("href");
    } else if (node.local === "link" && attribute("rel") === "self") {
      feed.selfLink = attribute("href");
    } else if (node.local === "category" && entry) {
      entry.category = attribute("term");
    }
  });
  parser.on("text", (chunk) => {
    text += chunk;
  });
  parser.on("closetag", (node) => {
    stack.pop();
    const field = node.local as "id" | "title" | "updated" | "summary";
    if (node.local === "entry" && entry) {
      feed.entries.push(entry as AtomEntry);
      entry = null;
    } else if (["id", "title", "updated", "summary"].includes(field)) {
      if (entry) entry[field] = text;
      else if (stack.length === 1 && field !== "summary") feed[field] = text;
    }
    text = "";
  });
  parser.write(xml).close();
  return feed as ParsedAtom;
}
