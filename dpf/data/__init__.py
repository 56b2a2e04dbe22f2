"""Reading a data folder: DuckDB views, the SQL loader and the cached summaries."""
