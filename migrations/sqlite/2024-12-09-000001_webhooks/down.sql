DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
ALTER TABLE changes DROP COLUMN language;
ALTER TABLE changes DROP COLUMN section_id;
