"""The sentences the product writes: 要点, 预警 and the 工作简报's text."""
