"""定时报告: schedules (schedules), when they are due (timing), what is sent (content), how (channels), the
delivery log that sends each item once (log) and the runner that ties them together (runner)."""
