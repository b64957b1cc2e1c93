// A front end's code as a user of the package writes it, type-checked strictly
// against the built package (`npm run check:consumer`): default reads are the
// whole shapes, so none of this needs a cast or a `?.`.
import { createFolio, type Article, type ArticleListPage } from "@folio/client";

const folio = createFolio({ baseUrl: "https://api.news.example" });

export async function page(slug: string): Promise<string> {
  const article: Article = await folio.article(slug, { locale: "fr", fallback: ["en"] });
  return `${article.title} ${article.body_html.length} ${article.section?.name ?? ""}`;
}

export async function front(): Promise<string> {
  const page: ArticleListPage = await folio.articles({ section: "monde", per_page: 10 });
  return page.data[0].title.toUpperCase() + (page.next_cursor ?? "");
}

export async function results(q: string): Promise<string[]> {
  const found = await folio.search(q, { language: "fr" });
  return found.data.map((item) => `${item.title}: ${item.highlight ?? item.excerpt}`);
}
