"""Lambda functions that blueprint itself provides; their source is placed inline in templates."""
