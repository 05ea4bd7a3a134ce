"""值班: the duty roster, handover and the duty log (plan 四(一))."""
