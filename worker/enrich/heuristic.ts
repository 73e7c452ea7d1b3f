import { normaliseTags, PLATFORMS, SUMMARY_MAX, type AnalysisOutput, type Platform } from "./analysis-output";
import type { AnalysisSource } from "./analysis-input";

// The analyser of the `none` provider (docs/architecture.md §4 "analyse"): no model, no cost,
// stored with `model = "heuristic"` so nobody takes it for an AI's reading. Summary from the
// README's first real paragraph or the description, tags from topics and README headings,
// platforms from keyword signals in the README and metadata.

/** Headings every README has: they say nothing about what a project is. */
const GENERIC_HEADINGS = new Set(
  (
    "installation install usage features license licence contributing contributors getting started documentation " +
    "docs examples example faq table of contents contents introduction overview requirements prerequisites build " +
    "building test tests testing support credits acknowledgements acknowledgments changelog roadmap api " +
    "quick start quickstart setup configuration development demo screenshots about authors author sponsors " +
    "backers community donate links resources related projects status motivation why todo " +
    "安装 使用 用法 许可证 许可 贡献 简介 介绍 快速开始 文档 示例 特性 功能 常见问题 目录 致谢 更新日志 开发 配置 演示 截图 赞助 联系"
  ).split(" "),
);

const PLATFORM_SIGNALS: Array<[Platform, RegExp]> = [
  [
    "web",
    /\b(browser|web ?app|website|frontend|react|vue|svelte|angular|html|css|next\.js|http server|web framework)\b/i,
  ],
  ["node", /\b(node\.?js|npm (install|i)\b|yarn add|pnpm add|deno|bun)\b/i],
  ["cli", /\b(command[- ]line|cli\b|terminal|shell)\b|^\s*\$ /im],
  ["desktop", /\b(desktop|electron|tauri)\b/i],
  ["mobile", /\b(mobile|react native|flutter)\b/i],
  ["ios", /\b(ios|iphone|ipad|swiftui)\b/i],
  ["android", /\bandroid\b/i],
  ["windows", /\bwindows\b/i],
  ["macos", /\b(macos|os x|homebrew|brew install)\b/i],
  ["linux", /\b(linux|ubuntu|debian|apt(-get)? install)\b/i],
  ["docker", /\b(docker|container image|docker-compose)\b/i],
  ["wasm", /\b(wasm|webassembly)\b/i],
  ["miniprogram", /(小程序|mini ?program)/i],
];

const HAN = /\p{Script=Han}/gu;
const hanShare = (text: string) => (text.match(HAN)?.length ?? 0) / Math.max(1, text.replace(/\s+/g, "").length);

/**
 * The README's first paragraph that is prose: ≥ 5 words or ≥ 15 Han characters, not code, a badge row or an install
 * line.
 */
function firstRealParagraph(prepared: string): string | null {
  for (const block of prepared.split(/\n{2,}/)) {
    const text = block.replace(/\s+/g, " ").trim();
    if (!text || text.startsWith("#") || text.startsWith("```") || /^[$>]/.test(text)) continue;
    if (/^(npm|yarn|pnpm|pip|cargo|go|brew|apt|docker|git)\s/i.test(text)) continue;
    const words = text.split(" ").filter((w) => /\p{L}/u.test(w)).length;
    if (words >= 5 || (text.match(HAN)?.length ?? 0) >= 15) return text;
  }
  return null;
}

function summaryOf(paragraph: string, language: "en" | "zh"): string {
  const sentences = paragraph.match(/[^.!?。！？]+[.!?。！？]*/gu) ?? [paragraph];
  let summary = sentences[0]!.trim();
  if (summary.length < 60 && sentences[1]) summary = `${summary} ${sentences[1].trim()}`;
  const max = SUMMARY_MAX[language];
  return summary.length <= max ? summary : `${summary.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
}

export function heuristicAnalysis(source: AnalysisSource, prepared: string, language: "en" | "zh"): AnalysisOutput {
  const paragraph = firstRealParagraph(prepared);
  const description = source.description?.trim() || null;
  let summary: string;
  const candidates = [paragraph, description].filter((text): text is string => !!text);
  if (language === "zh") {
    const chinese = candidates.find((text) => hanShare(text) > 0.3);
    summary = chinese
      ? summaryOf(chinese, "zh")
      : `${source.name} 是一个${source.language ? ` ${source.language} ` : ""}开源项目` +
        `${description ? `：${summaryOf(description, "zh")}` : "。"}`;
  } else {
    const english = candidates.find((text) => hanShare(text) < 0.1);
    summary = english
      ? summaryOf(english, "en")
      : `${source.name} is an open-source${source.language ? ` ${source.language}` : ""} project.`;
  }

  const headings = [...prepared.matchAll(/^#{2,3} (.+)$/gm)]
    .map((match) => match[1]!.replace(/[^\p{L}\p{N} +#.-]/gu, " ").trim())
    .filter((heading) => heading && heading.split(/\s+/).length <= 3 && !GENERIC_HEADINGS.has(heading.toLowerCase()));
  const tags = normaliseTags(
    [...source.topics, ...headings, ...(source.language ? [source.language] : [])],
    source.name,
  );

  const signals = `${source.description ?? ""}\n${source.topics.join(" ")}\n${prepared}`;
  const platforms = PLATFORM_SIGNALS.filter(([, pattern]) => pattern.test(signals)).map(([platform]) => platform);
  return {
    summary,
    tags: tags.slice(0, 8),
    platforms: platforms.filter((p) => (PLATFORMS as readonly string[]).includes(p)),
  };
}
