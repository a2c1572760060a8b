"""OpenSID 2508's "Sinkronisasi ke OpenDK" requests, rebuilt byte for byte: the module lives
in simulator/opendk_sender.py (the demo pushes a village with it too); the tests import it
under this name, private helpers included."""

import sys

from simulator import opendk_sender

sys.modules[__name__] = opendk_sender
