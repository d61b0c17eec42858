"""Development and test harnesses: not part of the product package."""
