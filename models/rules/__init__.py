"""Pure domain rules: working-day calendar, reply deadlines, 完成时限 phrases, 文号, warning levels."""
