DROP TABLE trash_slug_redirects;
