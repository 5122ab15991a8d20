"""Unicode ranges of the scripts written without spaces, which need their own segmenters."""

from __future__ import annotations

import re

#: Han ideographs (CJK unified, extension A, compatibility, extensions B+).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: The Thai block (consonants, vowels, tone marks, digits).
THAI = "\u0e00-\u0e7f"
HAN_CHAR = re.compile(f"[{HAN}]")
