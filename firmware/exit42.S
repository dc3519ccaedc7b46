# Ends the VM through the debug-exit port with a status that can't be
# mistaken for success or a generic failure.
.include "fw.inc"
    FW_HEADER 16, start
start:
    DEBUG_EXIT 42
