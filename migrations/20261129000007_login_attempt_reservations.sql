-- Password checks now reserve their attempt before hashing (a row that counts as a failure until
-- the check succeeds; see server/src/auth/throttle.rs), so the app role marks a reservation as
-- succeeded afterwards: UPDATE of that one column only, nothing else in the table.
GRANT UPDATE (succeeded) ON login_attempts TO portal_app;
