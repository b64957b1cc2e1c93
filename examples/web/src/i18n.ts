// The site's own words in French and English; articles keep their own language.

type Words = {
  latest: string;
  more: string;
  related: string;
  alsoIn: string;
  search: string;
  archive: string;
  error: string;
  "other-language": string;
  minutes: (n: number) => string;
  results: (n: number, q: string) => string;
};

const words: Record<"fr" | "en", Words> = {
  fr: {
    latest: "À la une",
    more: "Plus d’articles",
    related: "À lire aussi",
    alsoIn: "Aussi en :",
    search: "Rechercher",
    archive: "Archives",
    error: "Un problème est survenu",
    "other-language": "English",
    minutes: (n) => `${n} min de lecture`,
    results: (n, q) => `${n} résultat${n > 1 ? "s" : ""} pour « ${q} »`,
  },
  en: {
    latest: "Latest",
    more: "More articles",
    related: "Related",
    alsoIn: "Also in:",
    search: "Search",
    archive: "Archive",
    error: "Something went wrong",
    "other-language": "Français",
    minutes: (n) => `${n} min read`,
    results: (n, q) => `${n} result${n === 1 ? "" : "s"} for “${q}”`,
  },
};

let language: "fr" | "en" =
  (localStorage.getItem("language") as "fr" | "en" | null) ??
  (navigator.language.startsWith("fr") ? "fr" : "en");

export function uiLanguage(): "fr" | "en" {
  return language;
}

export function toggleLanguage() {
  language = language === "fr" ? "en" : "fr";
  localStorage.setItem("language", language);
}

type Key = keyof Words;
export function say<K extends Key>(
  key: K,
  ...args: Words[K] extends (...a: infer A) => string ? A : []
): string {
  const entry = words[language][key];
  return typeof entry === "function" ? (entry as (...a: unknown[]) => string)(...args) : (entry as string);
}
