"""Privacy jobs: erasure on request, retention, and keeping personal data out of logs."""
