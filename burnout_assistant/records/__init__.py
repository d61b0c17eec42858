"""What is stored: the database and its schema, the lead store, staff accounts and the
read model over Rasa's tracker events."""
