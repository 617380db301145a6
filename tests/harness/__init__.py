"""The Renode-compatible harness over a fake engine: monitor, keywords, runner, bridges, pytest plugin."""
