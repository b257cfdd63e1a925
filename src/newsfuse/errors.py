"""One root for newsfuse's operational failures; misuse (bad arguments) raises ValueError/TypeError."""


class NewsfuseError(Exception):
    """Root of every failure newsfuse reports to its user."""


class InputError(NewsfuseError):
    """An input path or stream cannot be read at all (a single bad page is a Rejection, not this)."""


class StoreError(NewsfuseError):
    """The store cannot be opened, migrated or written."""


class MissingExtraError(NewsfuseError):
    """An optional feature was asked for but its extra is not installed."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs the optional extra: pip install 'newsfuse[{extra}]'")
        self.feature = feature
        self.extra = extra
