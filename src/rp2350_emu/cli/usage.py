"""A command-line usage error: exit status 1 with a one-line message."""


class UsageError(Exception):
    pass
