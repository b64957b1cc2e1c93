import { defineConfig } from "vite";

// The site calls the API on its own origin; Vite passes /v1 on to Folio
// (FOLIO_URL, default the address `folio serve` uses).
const folio = process.env.FOLIO_URL ?? "http://127.0.0.1:8080";
const proxy = { "/v1": { target: folio, changeOrigin: true } };

export default defineConfig({
  server: { proxy },
  preview: { proxy },
});
