"""Where an archive lives when the user names none."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "semantic-archive"
HOME_ENV = "ARCHIVE_HOME"  # the archive's folder, when --home names none
MODEL_ENV = "ARCHIVE_MODEL"  # the model `archive ui --model` hands to the app's process


def default_home() -> Path:
    """The user data directory (platformdirs), e.g. ~/.local/share/semantic-archive."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
