DROP TABLE article_trash;
DROP TABLE article_revisions;
