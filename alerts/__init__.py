"""预警与信息发布: holiday and major-event early-warning deployments (三(三)4 Ⅳ), market and consumer warnings, and public information releases the leading group approves (二(一)3, 四(三))."""
