"""One register table, three implementations: the Python models, the C# models under mono, the Python-peripheral scripts."""
