"""Where the app keeps its files on this device.

Every path comes from platformdirs, so each OS gets its usual places. `AppPaths.under(root)`
puts everything below one folder, which tests and portable installs use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "SmartInterview"
APP_AUTHOR = "SmartInterview"
HOME_ENV = "SMART_INTERVIEW_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """Paths for this user, or below $SMART_INTERVIEW_HOME when it is set."""
        root = os.environ.get(HOME_ENV)
        if root:
            return cls.under(Path(root))
        import platformdirs

        dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
        return cls(
            config_dir=Path(dirs.user_config_dir),
            data_dir=Path(dirs.user_data_dir),
            cache_dir=Path(dirs.user_cache_dir),
            log_dir=Path(dirs.user_log_dir),
        )

    @classmethod
    def under(cls, root: Path) -> AppPaths:
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "logs",
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def models_dir(self) -> Path:
        """Models assembled or downloaded by the app (bundled ones stay in site-packages)."""
        return self.cache_dir / "models"

    def ensure(self) -> AppPaths:
        for path in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True)
        return self
