DROP INDEX articles_section_public_idx;
DROP INDEX articles_dated_order_idx;
