"""The project's tests (pytest): one package per part of the project."""
