"""应急物资与装备: equipment, vehicles and supplies, reserve points, supply agreements, their checks and their dispatch to incidents (二(一)4, 四(二))."""
