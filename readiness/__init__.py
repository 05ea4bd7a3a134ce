"""应急准备: drills, training, capability self-assessment and the plans as versioned documents (四(二), 六; second source)."""
