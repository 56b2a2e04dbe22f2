"""Files the product writes: the 工作简报 (Markdown, Word), the deck (PPTX, PDF), safe spreadsheets."""
