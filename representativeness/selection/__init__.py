"""Fair selection of panels by lottery (LEXIMIN on HiGHS)."""
