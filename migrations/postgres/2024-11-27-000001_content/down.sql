DROP TABLE api_tokens;
DROP TABLE article_slug_redirects;
DROP TABLE article_authors;
DROP TABLE article_tags;
DROP TABLE articles;
DROP TABLE authors;
DROP TABLE tags;
DROP TABLE sections;
