DROP INDEX articles_public_day_idx;
