"""Statistics for evaluators: reads PostgreSQL, returns Structs; never imports the web layer."""
