#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A reader that stops for a while before it reads anything.

    slowcat.py PAUSE_MS OUT < input
    slowcat.py file:PATH OUT < input

Waits PAUSE_MS (or until PATH exists), then copies stdin to OUT until
end of file.  It stands for a pipeline reader that stalls (a pager, a
slow consumer).
"""

import os
import sys
import time

if sys.argv[1].startswith("file:"):
    while not os.path.exists(sys.argv[1][5:]):
        time.sleep(0.02)
else:
    time.sleep(int(sys.argv[1]) / 1000.0)
with open(sys.argv[2], "wb") as out:
    while True:
        b = os.read(0, 1 << 16)
        if not b:
            break
        out.write(b)
