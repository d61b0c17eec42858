-- Runs once, when the postgres volume is created: the leads get their own database beside
-- Rasa's tracker store (POSTGRES_DB=tracker), so each can be backed up and retained apart.
CREATE DATABASE leads OWNER assistant;
