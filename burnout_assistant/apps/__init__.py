"""Entry points that run: serving (launch), jobs, the staff dashboard, Telegram polling, the
embedded calendar and demo site, replicas for the scaled deployment, and training."""
