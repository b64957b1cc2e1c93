// An article's body laid out from its blocks, node by node, as a native app
// would: no HTML from the API is parsed, so nothing in a body can run here.

import type { Block, Inline } from "@folio/client";

import { h, picture } from "./dom";
import { pathOf } from "./routes";

const BODY_SIZES = "(max-width: 46rem) 100vw, 46rem";

/** A run of text with its marks, innermost last. */
function run(text: string, marks: string[] = []): Node {
  const tags: Record<string, string> = { strong: "strong", em: "em", strike: "s", code: "code" };
  return marks.reduceRight<Node>((inner, mark) => h(tags[mark] ?? "span", {}, inner), document.createTextNode(text));
}

function line(content: Inline[]): Node[] {
  return content.map((inline): Node => {
    switch (inline.type) {
      case "text":
        return run(inline.text, inline.marks);
      case "link": {
        const text = inline.content.map((t) => run(t.text, t.marks));
        // A link to another article opens it here; one to an article readers
        // cannot see leads nowhere.
        if (inline.href.startsWith("article:")) {
          return inline.article ? h("a", { href: pathOf(inline.article.url, `/${inline.article.slug}`) }, ...text) : h("span", {}, ...text);
        }
        return h("a", { href: inline.href, rel: "noopener noreferrer", ...(inline.title ? { title: inline.title } : {}) }, ...text);
      }
      case "image":
        return h("img", { src: inline.src, alt: inline.alt, loading: "lazy" });
      case "break":
        return h("br");
      default:
        return assertNever(inline);
    }
  });
}

function assertNever(node: never): never {
  throw new Error(`a node of no known type: ${JSON.stringify(node)}`);
}

/** The elements of `blocks`, each marked with its type (`data-block`). */
export function renderBlocks(blocks: Block[]): HTMLElement[] {
  return blocks.map((block): HTMLElement => {
    const element = ((): HTMLElement => {
      switch (block.type) {
        case "paragraph":
          return h("p", {}, ...line(block.content));
        case "heading":
          return h(`h${Math.min(6, Math.max(2, block.level))}`, {}, ...line(block.content));
        case "list":
          return h(
            block.ordered ? "ol" : "ul",
            block.ordered && block.start && block.start !== 1 ? { start: String(block.start) } : {},
            ...block.items.map((item) => h("li", {}, ...renderBlocks(item.content))),
          );
        case "quote":
          return h(
            "blockquote",
            {},
            ...renderBlocks(block.content),
            ...(block.attribution ? [h("footer", {}, `— ${block.attribution}`)] : []),
          );
        case "image":
          return h(
            "figure",
            {},
            block.media ? picture(block.media, "medium", BODY_SIZES, block.alt || block.media.alt) : h("img", { src: block.src, alt: block.alt, loading: "lazy" }),
            ...(block.media && (block.media.caption || block.media.credit)
              ? [h("figcaption", {}, [block.media.caption, block.media.credit].filter(Boolean).join(" — "))]
              : []),
          );
        case "embed":
          // A placeholder: the provider's player (and its scripts) only if the reader follows the link.
          return h(
            "figure",
            { class: `embed embed-${block.provider}` },
            h("a", { href: block.url, rel: "noopener noreferrer" }, block.url),
            h("figcaption", {}, block.provider),
          );
        case "table": {
          const align = (i: number): Record<string, string> =>
            block.align[i] && block.align[i] !== "none" ? { style: `text-align: ${block.align[i]}` } : {};
          return h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ...block.header.map((cell, i) => h("th", align(i), ...line(cell.content))))),
            h("tbody", {}, ...block.rows.map((row) => h("tr", {}, ...row.map((cell, i) => h("td", align(i), ...line(cell.content)))))),
          );
        }
        case "code":
          return h("pre", {}, h("code", block.language ? { "data-language": block.language } : {}, block.text));
        case "divider":
          return h("hr");
        default:
          return assertNever(block);
      }
    })();
    element.dataset.block = block.type;
    return element;
  });
}
