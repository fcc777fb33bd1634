"""One flask-smorest blueprint per resource; views parse arguments, ask, and return documents."""
