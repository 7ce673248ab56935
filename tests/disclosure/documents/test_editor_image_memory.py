"""What re-encoding an editor image may hold in memory is bounded by what its file is allowed to
decode to, not by a multiple of it: a 34-byte lossless WebP declares 6300 × 6300 pixels (under
MAX_EDITOR_IMAGE_PIXELS), and the editor's re-encode of it held about 830 MB (the decoded
frame, its copy, and the WebP encoder's own ARGB and YUV pictures). Editor uploads have no
limit on how many run at once, so a few of them fill a server's memory."""

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from disclosure.documents.uploads import MAX_EDITOR_IMAGE_PIXELS

ROOT = Path(__file__).resolve().parents[3]
# Peak memory of a fresh process re-encoding the file, above what it held before (VmHWM, MB:
# unlike ru_maxrss, not inherited from the process that started it).
MEASURE = """
import json, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from disclosure.documents.uploads import reencode_editor_image
def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
data = open(sys.argv[1], "rb").read()
before = peak_kb()
try:
    reencode_editor_image(SimpleUploadedFile("图.webp", data))
    outcome = "stored"
except Exception as refused:
    outcome = type(refused).__name__
grown = (peak_kb() - before) // 1024
print(json.dumps({"outcome": outcome, "grown_mb": grown, "before_mb": before // 1024}))
"""


def test_a_tiny_webp_of_many_pixels_is_not_re_encoded_in_several_copies(tmp_path):
    side = int(MAX_EDITOR_IMAGE_PIXELS**0.5) - 24  # 6300: within the pixel cap
    path = tmp_path / "blank.webp"
    Image.new("RGB", (side, side)).save(path, "WEBP", lossless=True, quality=0, method=0)
    assert path.stat().st_size < 100
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    # Refused before decoding, or re-encoded holding at most six RGBA copies of the canvas: the
    # decoded frame, its metadata-free copy and the WebP encoder's own pictures (5.5 measured).
    # The cap (16 Mpx) bounds one upload; two at a time site-wide (views.REENCODES) bound them all.
    six_copies_mb = 6 * 4 * side * side // (1024 * 1024)
    assert measured["grown_mb"] <= six_copies_mb, measured
