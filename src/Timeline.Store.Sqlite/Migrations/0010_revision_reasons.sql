-- 0010: why a change was made. A write may carry a reason in the curator's words (one line, at most 500
-- characters); it is kept with the revision the write adds, and shown in the record's revisions and the change
-- feed. Revisions written before have none (NULL), as have those of writes that gave none. Adding a column does
-- not rewrite a revision: the immutability trigger of 0003 stays as it is.

ALTER TABLE revisions ADD COLUMN reason TEXT;
