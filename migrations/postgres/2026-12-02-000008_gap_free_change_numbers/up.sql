-- A change takes its number only once its transaction has a transaction id, so that a reader
-- of the change log can tell, from its snapshot's list of running transactions, whether a
-- missing number may still commit (see docs/decisions.md, "A change feed that never skips").
-- A column default is evaluated before BEFORE triggers, so the number moves to the trigger.
CREATE FUNCTION kho_number_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_current_xact_id();
    NEW.seq := nextval('changes_seq_seq');
    RETURN NEW;
END
$$;

ALTER TABLE changes ALTER COLUMN seq DROP DEFAULT;

CREATE TRIGGER changes_number BEFORE INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION kho_number_change();
