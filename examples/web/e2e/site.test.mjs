// The example site end to end: a live Folio with its demo content (FOLIO_BIN), the
// built site served by `vite preview`, and Debian's Chromium driven by
// playwright-core. Screenshots of each page go to screenshots/.
// usage: FOLIO_BIN=../../target/debug/folio node e2e/site.test.mjs  (after npm run build)

import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";

const folioBin = process.env.FOLIO_BIN;
assert.ok(folioBin, "FOLIO_BIN names the folio binary");
const work = mkdtempSync(join(tmpdir(), "folio-web-"));
const env = {
  ...process.env,
  DATABASE_URL: `sqlite://${join(work, "folio.db")}`,
  FOLIO_SITE_URL: "https://news.example",
  FOLIO_RATE_LIMIT_ANONYMOUS: "0",
  FOLIO_RATE_LIMIT_TOKEN: "0",
};
const children = [];
const screenshots = new URL("../screenshots/", import.meta.url).pathname;
mkdirSync(screenshots, { recursive: true });

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a process in a group of its own (stopped whole at the end) and resolves
 * with the first match of `pattern` in its output. */
function start(command, args, options, pattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let seen = "";
    const look = (chunk) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) resolve(match);
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    child.on("exit", (code) => reject(new Error(`${command} exited (${code}): ${seen}`)));
  });
}

/** A PNG of `width`×`height`, a gradient: made here, so the test needs no image tool. */
function png(width, height) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, "ascii");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * (width * 3 + 1) + 1 + x * 3;
      rows.set([(x * 255) / width, 90, (y * 255) / height], at);
    }
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

async function main() {
  execFileSync(folioBin, ["migrate"], { env });
  const token = execFileSync(folioBin, ["token", "create", "--name", "e2e", "--scope", "write"], { env })
    .toString()
    .trim()
    .split("\n")
    .pop();
  const [, folioUrl] = await start(
    folioBin,
    ["serve", "--demo", "--bind", "127.0.0.1:0"],
    { env },
    /listening on (http:\/\/[0-9.:]+)/,
  );
  for (let tries = 0; (await fetch(`${folioUrl}/ready`)).status !== 200; tries++) {
    assert.ok(tries < 150, "Folio became ready");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // More articles in one section than a page holds, to page through.
  for (let n = 1; n <= 7; n++) {
    const response = await fetch(`${folioUrl}/v1/articles`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        title: `Dépêche d’Asie n° ${n}`,
        body: `Brève ${n}.`,
        section: "asie",
        status: "published",
        published_at: `2024-10-0${n}T08:00:00Z`,
      }),
    });
    assert.equal(response.status, 201, await response.text());
  }

  // An article with a cover and a picture in its body.
  const upload = await fetch(`${folioUrl}/v1/assets?alt=${encodeURIComponent("Astana sous la neige")}&credit=Folio`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" },
    body: png(1200, 800),
  });
  assert.equal(upload.status, 201, await upload.clone().text());
  const cover = await upload.json();
  const illustrated = await fetch(`${folioUrl}/v1/articles`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      slug: "astana-sous-la-neige",
      title: "Astana sous la neige",
      language: "fr",
      body: `La capitale s’est réveillée sous la **neige**.\n\n![](asset:${cover.id})\n\n> Il fait moins vingt.\n>\n> — Un chauffeur de taxi\n\n1. le tram\n2. le métro\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n<script>document.title = "pwned"</script>\n\nFin.`,
      section: "asie",
      status: "published",
      cover: cover.id,
    }),
  });
  assert.equal(illustrated.status, 201, await illustrated.text());
  // Its English version: the article page links each to the other.
  const translated = await fetch(`${folioUrl}/v1/articles`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      slug: "astana-under-snow",
      title: "Astana under snow",
      body: "The capital woke up under snow.",
      language: "en",
      section: "asie",
      status: "published",
      translation_of: "astana-sous-la-neige",
    }),
  });
  assert.equal(translated.status, 201, await translated.text());

  const sitePort = await freePort();
  // Without colours, which CI=true would turn on around the words looked for.
  await start(
    "node_modules/.bin/vite",
    ["preview", "--port", String(sitePort), "--strictPort", "--host", "127.0.0.1"],
    {
      env: { ...process.env, FOLIO_URL: folioUrl, NO_COLOR: "1", FORCE_COLOR: "0" },
      cwd: new URL("..", import.meta.url).pathname,
    },
    /Local:/,
  );
  const site = `http://127.0.0.1:${sitePort}`;

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    // A French reader in New York: dates in the reader's zone.
    const context = await browser.newContext({ locale: "fr-FR", timezoneId: "America/New_York" });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("response", (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    const shot = (name) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

    // Home: the latest articles, the newest with its cover's thumbnail.
    await page.goto(site);
    await page.waitForSelector("article.teaser");
    await page.waitForFunction(() => {
      const img = document.querySelector("article.teaser img");
      return img && img.complete && img.naturalWidth === 320;
    });
    assert.equal(await page.textContent("h1"), "À la une");
    assert.ok((await page.locator("article.teaser").count()) >= 5);
    await shot("home");

    // A section (its subsections' articles included), page after page by cursor.
    await page.click("nav >> text=Monde");
    await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Monde");
    await page.waitForSelector("article.teaser");
    const firstPage = await page.locator("article.teaser").count();
    assert.equal(firstPage, 5);
    const atom = await page.getAttribute('link[type="application/atom+xml"]', "href");
    assert.equal(atom, "/v1/feeds/articles.atom?section=monde", "feed discovery follows the page");
    await page.click("#more");
    await page.waitForFunction((n) => document.querySelectorAll("article.teaser").length > n, firstPage);
    await shot("section");

    // An article: body, byline, reading time, date in New York, related articles.
    await page.goto(`${site}/monde/poutine-au-kazakhstan-une-alliance-strategique`);
    await page.waitForSelector("article.full h1");
    assert.match(await page.textContent("article.full h1"), /Poutine au Kazakhstan/);
    assert.ok(await page.locator("article.full .body h2").count(), "sub-headings kept");
    const meta = await page.textContent("article.full .meta");
    assert.match(meta, /min de lecture/);
    assert.match(meta, /26 novembre 2024/, "midnight UTC on the 27th is the 26th in New York");
    await page.waitForSelector("article.teaser");
    await shot("article");

    // An article with a cover and a body image: responsive, loaded, described.
    await page.goto(`${site}/asie/astana-sous-la-neige`);
    await page.waitForSelector("figure.cover img");
    await page.waitForFunction(() => {
      const img = document.querySelector("figure.cover img");
      return img && img.complete && img.naturalWidth > 0;
    });
    assert.equal(await page.getAttribute("figure.cover img", "alt"), "Astana sous la neige");
    assert.match(await page.textContent("figure.cover figcaption"), /Folio/);
    const bodyImage = page.locator("article.full .body img");
    assert.match(await bodyImage.getAttribute("srcset"), / 480w, .* 960w/);
    assert.equal(await bodyImage.getAttribute("loading"), "lazy");
    await bodyImage.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector("article.full .body img");
      return img && img.complete && img.naturalWidth > 0;
    });
    await shot("cover");
    // The body is laid out from its blocks, node by node: raw HTML shows as text.
    const kinds = await page.$$eval("article.full .body > [data-block]", (nodes) => nodes.map((n) => n.dataset.block));
    assert.deepEqual(kinds, ["paragraph", "image", "quote", "list", "embed", "paragraph", "paragraph"]);
    assert.equal(await page.textContent("article.full .body strong"), "neige");
    assert.equal(await page.textContent("article.full .body blockquote footer"), "— Un chauffeur de taxi");
    assert.equal(await page.locator("article.full .body ol li").count(), 2);
    assert.equal(
      await page.getAttribute("article.full .body figure.embed-youtube a", "href"),
      "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    );
    assert.equal(await page.locator("article.full .body iframe, article.full .body script").count(), 0);
    assert.notEqual(await page.title(), "pwned");
    // The story's other language, one click away.
    await page.click('p.translations a[hreflang="en"]');
    await page.waitForFunction(() => document.querySelector("article.full h1")?.textContent === "Astana under snow");
    assert.match(await page.textContent("p.translations"), /français/);

    // Folio's own addresses open here: an entry of a feed and of a sitemap, their
    // permalinks moved onto this site's origin, show the article they name.
    const feed = await (await fetch(`${folioUrl}/v1/feeds/articles.json?section=asie`)).json();
    const sitemap = await (await fetch(`${folioUrl}/sitemaps/articles-1.xml`)).text();
    const located = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    assert.ok(located.length > 0, "the sitemap lists articles");
    for (const [address, title] of [
      [feed.items[0].url, feed.items[0].title],
      [located.find((url) => url.endsWith("/astana-sous-la-neige")), "Astana sous la neige"],
    ]) {
      const { pathname } = new URL(address);
      await page.goto(`${site}${pathname}`);
      await page.waitForFunction((t) => document.querySelector("article.full h1")?.textContent === t, title);
    }
    // A tag's page lists its articles; back and forward move through history.
    const tagged = (await (await fetch(`${folioUrl}/v1/articles?tag=energie`)).json()).data[0];
    await page.goto(`${site}${new URL(tagged.url).pathname}`);
    await page.waitForSelector("p.tags a");
    await page.click("p.tags a >> nth=0");
    await page.waitForFunction(() => location.pathname.startsWith("/tag/") && document.querySelector("article.teaser"));
    await page.goBack();
    await page.waitForFunction((t) => document.querySelector("article.full h1")?.textContent === t, tagged.title);

    // Search without accents finds the accented word, highlighted.
    await page.fill("#search input", "nucleaire");
    await page.press("#search input", "Enter");
    await page.waitForSelector("article.teaser mark");
    const marked = await page.locator("article.teaser mark").allTextContents();
    assert.ok(marked.some((m) => /nucléaire/i.test(m)), `highlights: ${marked}`);
    await shot("search");

    // The archive: months, then a month's days, then a day's articles.
    await page.click("#archive-link");
    await page.waitForSelector(".archive li a");
    await page.click(".archive li a >> nth=0");
    await page.waitForSelector("button[data-day]");
    await page.click("button[data-day] >> nth=0");
    await page.waitForSelector(".list article.teaser");
    await shot("archive");

    // English: the site's words, the sections' names, and each story in English
    // when it has an English version.
    await page.goto(site);
    await page.click("#language");
    await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Latest");
    assert.equal(await page.textContent("#search button"), "Search");
    await page.waitForSelector("nav >> text=World");
    await page.waitForSelector("article.teaser >> text=Astana under snow");
    assert.equal(await page.locator("article.teaser >> text=Astana sous la neige").count(), 0);
    await shot("home-en");
    // On an article, the switch goes to the story's version in that language.
    await page.goto(`${site}/asie/astana-under-snow`);
    await page.waitForFunction(() => document.querySelector("article.full h1")?.textContent === "Astana under snow");
    await page.click("#language");
    await page.waitForFunction(() => document.querySelector("article.full h1")?.textContent === "Astana sous la neige");
    await page.waitForSelector("nav >> text=Monde");

    assert.deepEqual(errors, [], "no console errors");
    console.log("ok: home, section pages, article, Folio's own URLs, tags, search, archive and language switch");
  } finally {
    await browser.close();
  }
}

function stopAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid);
    } catch {
      // Already gone.
    }
  }
}

// However it goes, the test ends within three minutes.
setTimeout(() => {
  console.error("the end-to-end test took more than three minutes");
  stopAll();
  process.exit(1);
}, 180_000).unref();

main()
  .then(() => {
    stopAll();
    process.exit(0);
  })
  .catch((error) => {
    console.error(error);
    stopAll();
    process.exit(1);
  });
