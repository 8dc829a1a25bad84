"""Data folders for the development scripts run from a checkout.

The product reads its data folders only from options and environment variables
(recognizers/paths.py); these scripts work beside the shared recordings, so they point the
variables at the checkout's neighbours unless the caller already set them.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SCRIVOX_SHARED_DATA", str(ROOT.parent / "shared" / "data"))
os.environ.setdefault("SCRIVOX_DATA", str(ROOT / "data"))
