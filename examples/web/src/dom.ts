// Building the page: elements whose text is never parsed as HTML, and pictures.

import type { Article } from "@folio/client";

/** An element with text (never parsed as HTML) and children. */
export function h(tag: string, props: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** HTML the API has already made safe (escaped search highlights). */
export function trusted(tag: string, html: string, props: Record<string, string> = {}): HTMLElement {
  const element = h(tag, props);
  element.innerHTML = html;
  return element;
}

/** An asset as the API describes it: a cover, or a picture of a body. */
export type Media = NonNullable<Article["cover"]>;

/** A responsive image: the browser picks from `srcset`; its box is sized before it
 * loads (no layout shift) and shows the image's colour meanwhile. */
export function picture(media: Media, preset: string, sizes: string, alt = media.alt): HTMLElement {
  const chosen = media.presets[preset];
  const img = h("img", {
    src: chosen?.url ?? media.url,
    alt,
    width: String(chosen?.width ?? media.width ?? ""),
    height: String(chosen?.height ?? media.height ?? ""),
    loading: "lazy",
    decoding: "async",
  }) as HTMLImageElement;
  if (media.srcset && preset !== "thumb") {
    img.srcset = media.srcset;
    img.sizes = sizes;
  }
  if (media.color) img.style.backgroundColor = media.color;
  return img;
}
