/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** FOLIO_PERMALINK of the server the site shows (default `/{section}/{slug}`). */
  readonly VITE_FOLIO_PERMALINK?: string;
}
