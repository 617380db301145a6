"""The Renode side: C# models against the API stubs, the .repl type check, suites, workflow, backend."""
