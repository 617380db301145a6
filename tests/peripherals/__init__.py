"""The peripheral models at register level."""
