"""One exception type the CLI turns into a one-line message and a non-zero exit."""


class KgError(Exception):
    """A user-facing error: bad input, bad gold file, unwritable output."""


class InputError(KgError):
    pass


class GoldError(KgError):
    pass


class OutputError(KgError):
    pass
