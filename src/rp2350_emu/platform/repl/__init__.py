"""Renode platform descriptions (.repl): syntax tree, lexer, parser and type check."""
