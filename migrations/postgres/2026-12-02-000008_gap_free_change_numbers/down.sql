DROP TRIGGER changes_number ON changes;
DROP FUNCTION kho_number_change();
ALTER TABLE changes ALTER COLUMN seq SET DEFAULT nextval('changes_seq_seq');
