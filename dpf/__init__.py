"""Non-UI core of the county DPF dashboard: data access, indicators, schedule, demo data, checks."""
