DROP TABLE article_index;
