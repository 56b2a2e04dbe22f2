"""`python -m dpf …`: one module per command-line verb."""
